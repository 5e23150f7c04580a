/** SDKs a render shares with the test instead of loading afresh: their state lives in Pulumi's global store anyway. */
const SHARED_SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/docker-build"];

/**
 * Returns a loader that imports a Pulumi program afresh on every call, so one test file can
 * render the same program under several configurations. Under jest the program's own modules
 * are isolated per call while the SDKs stay shared (loading @pulumi/aws and @pulumi/pulumi again
 * was most of a render's time); elsewhere (the offline plan, each program once) a plain require,
 * as Pulumi's own runtime loads a program, which also works under `node --require tsx/cjs`.
 */
export function programLoader(programPath: string): () => Promise<unknown> {
  return async () => {
    if (typeof jest === "undefined") return require(programPath) as unknown;
    const sdks = SHARED_SDKS.map((id) => [id, require(id) as unknown] as const);
    let loaded: unknown;
    jest.isolateModules(() => {
      for (const [id, sdk] of sdks) jest.doMock(id, () => sdk);
      loaded = require(programPath) as unknown;
    });
    return loaded;
  };
}
