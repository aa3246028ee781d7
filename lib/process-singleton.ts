/**
 * One value per process, whichever copy of a module asks for it. Next bundles lib/ more than once
 * (each route handler, instrumentation), and dev-mode reloads evaluate modules again; a module-level
 * variable would then exist once per copy: two database pools on one PGlite folder, two metrics
 * registries, a worker started twice. The value is kept on `globalThis` under a registered symbol,
 * which every copy reaches. This is the only code that stores anything there.
 *
 * `build` runs once per process; when it throws, nothing is kept and the next call tries again.
 * In dev the first build outlives reloads: after editing a builder, restart the server.
 */
export function processSingleton<T>(key: string, build: () => T): T {
  const slot = Symbol.for(`mini-chat.${key}`);
  const store = globalThis as unknown as Record<symbol, { value: T } | undefined>;
  store[slot] ??= { value: build() };
  return store[slot].value;
}
