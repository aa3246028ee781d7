import Link from 'next/link';
import { buttonClassName } from '@/components/ui/button';

export default function ChatNotFound() {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-4 p-8 text-center">
      <h1 className="text-lg font-medium">Chat not found</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        It may have been deleted, or the link is wrong.
      </p>
      <Link href="/" className={buttonClassName('secondary')}>
        Back to your chats
      </Link>
    </div>
  );
}
