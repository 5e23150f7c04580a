/**
 * Returns a loader that imports a Pulumi program afresh on every call, so one test file can
 * render the same program under several configurations: under jest in `jest.isolateModules`.
 * Elsewhere (the offline plan, each program once) a plain require, as Pulumi's own runtime loads a
 * program, which also works under `node --require tsx/cjs`.
 */
export function programLoader(programPath: string): () => Promise<unknown> {
  return async () => {
    if (typeof jest === "undefined") return require(programPath) as unknown;
    let loaded: unknown;
    jest.isolateModules(() => {
      loaded = require(programPath) as unknown;
    });
    return loaded;
  };
}
