/**
 * The Node.js release line every runtime of the platform uses (R24): the workspace's scripts and
 * nx tasks (the `node` package in the root package.json), CI, the API's container image and the
 * Pulumi language host that runs each layer program. Node.js 24 is an LTS line maintained until
 * April 2028; a test keeps package.json, @types/node and the Dockerfile on this line.
 */
export const NODE_LTS_MAJOR = 24;

/**
 * Refuses to run a layer program on a Node.js line that gets no security fixes. Pulumi's language
 * host starts whichever `node` is first on PATH: the nx targets put the workspace's own runtime
 * there; a bare `pulumi up` uses the caller's.
 */
export function assertSupportedRuntime(version: string = process.versions.node): void {
  const major = Number(version.split(".")[0]);
  // Even majors become LTS; a later LTS line than ours is accepted, an odd (short-lived) one is not.
  if (major >= NODE_LTS_MAJOR && major % 2 === 0) return;
  throw new Error(
    `Node.js ${version} is not a supported LTS for this platform (needs ${NODE_LTS_MAJOR}.x or a later LTS line). ` +
      "Run the layer through `npx nx run <layer>:<target>` (the workspace brings Node.js " +
      `${NODE_LTS_MAJOR}), or put Node.js ${NODE_LTS_MAJOR} first on PATH before \`pulumi up\`.`,
  );
}
