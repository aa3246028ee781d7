import type { MetadataRoute } from 'next';

/** The web manifest (/manifest.webmanifest): the name and icons a browser shows for an installed app. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Mini-chat',
    short_name: 'Mini-chat',
    description: 'Chat with AI about your own files.',
    start_url: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#18181b',
    icons: [
      { src: '/icon.svg', type: 'image/svg+xml', sizes: 'any' },
      { src: '/icon-192.png', type: 'image/png', sizes: '192x192' },
      { src: '/icon-512.png', type: 'image/png', sizes: '512x512' },
    ],
  };
}
