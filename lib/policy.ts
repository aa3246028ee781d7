import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { UserRole } from './db/schema';
import { chats } from './db/schema';
import { AppError } from './errors';

/** Who is asking: resolved from a session or an API token, never from the request body. */
export interface Caller {
  userId: string;
  tenantId: string;
  role: UserRole;
}

export type Action =
  | 'chat.create'
  | 'chat.list'
  | 'chat.read'
  | 'chat.update'
  | 'chat.delete'
  | 'attachment.upload'
  | 'attachment.read'
  | 'attachment.delete'
  | 'message.list'
  | 'message.send'
  | 'turn.read'
  | 'turn.retry'
  | 'turn.cancel'
  | 'model.list'
  | 'token.create'
  | 'token.list'
  | 'token.revoke';

/** The rows a query may touch: always one tenant, and for owner-only content, one user. */
export interface AccessScope {
  tenantId: string;
  userId: string;
}

/**
 * The single authorization decision point. Chat content and personal tokens are owner-only, so
 * every action resolves to the caller's own tenant and user: another user's chat simply does not
 * match the query, which is how it answers 404 without revealing that it exists.
 */
export function authorize(caller: Caller | null, _action: Action): AccessScope {
  if (!caller) throw new AppError('unauthorized', 'Sign in or send a valid API token.');
  return { tenantId: caller.tenantId, userId: caller.userId };
}

/** The WHERE clause that confines a chats query to a scope. */
export const chatInScope = (scope: AccessScope): SQL =>
  and(eq(chats.tenantId, scope.tenantId), eq(chats.userId, scope.userId)) as SQL;

/** A chat the scope may see: its own, and not deleted. */
export const liveChatInScope = (scope: AccessScope, chatId: string): SQL =>
  and(eq(chats.id, chatId), chatInScope(scope), isNull(chats.deletedAt)) as SQL;
