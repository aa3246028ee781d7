// @fastify/busboy ships its Dicer parser and header-parameter parser without declarations at
// these paths; these are the parts of their surface that lib/http/multipart.ts uses.
declare module '@fastify/busboy/deps/dicer/lib/Dicer' {
  import type { Readable, Writable } from 'node:stream';

  namespace Dicer {
    interface PartStream extends Readable {
      once(event: 'header', listener: (header: Record<string, string[]>) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }
  class Dicer extends Writable {
    constructor(config: {
      boundary: string;
      maxHeaderPairs?: number;
      /** Bytes of a part's header block kept (default 80 KiB); the rest is dropped without an error. */
      maxHeaderSize?: number;
      partHwm?: number;
      highWaterMark?: number;
    });
    on(event: 'part', listener: (part: Dicer.PartStream) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  export = Dicer;
}

declare module '@fastify/busboy/lib/utils/parseParams' {
  /** `form-data; name="file"` → `['form-data', ['name', 'file']]`, RFC 2231 values decoded. */
  function parseParams(value: string): [string, ...[string, string][]];
  export = parseParams;
}
