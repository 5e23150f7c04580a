/**
 * Returns a loader that imports a Pulumi program afresh on every call, so one test file can
 * render the same program under several configurations. Under jest the module registry is
 * isolated per call; elsewhere (the offline plan, one program per process) a plain import.
 */
export function programLoader(programPath: string): () => Promise<unknown> {
  return async () => {
    if (typeof jest === "undefined") return import(programPath);
    let loaded: unknown;
    await jest.isolateModulesAsync(async () => {
      loaded = await import(programPath);
    });
    return loaded;
  };
}
