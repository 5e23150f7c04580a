import * as fs from "node:fs";
import * as path from "node:path";
import { MOCK_ACCOUNT_ID, one, renderProgram, secretInput } from "@mlapi/testing";
import type { ApiImageArgs } from "./api-image";
import { ApiImage } from "./api-image";
import { buildContextFiles } from "./build-context";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const REGISTRY = `${MOCK_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com`;
const REPOSITORY_URL = `${REGISTRY}/mlapi-api-dev`;
const IMAGE = "docker-build:index:Image";

const render = (args: Partial<ApiImageArgs> = {}) =>
  renderProgram({
    project: "mlapi-test",
    stack: "dev",
    config: { "aws:region": "us-east-1" },
    load: async () => {
      const image = new ApiImage("api-build", {
        repositoryUrl: REPOSITORY_URL,
        registryId: MOCK_ACCOUNT_ID,
        source: { contextDir: ROOT, dockerfile: "apps/ml-api/Dockerfile" },
        ...args,
      });
      return { imageRef: image.imageRef };
    },
  });

describe("ApiImage", () => {
  describe("for X86_64 (default)", () => {
    let image: ReturnType<typeof one>;
    let imageRef: unknown;
    beforeAll(async () => {
      const r = await render();
      image = one(r, IMAGE);
      imageRef = r.outputs.imageRef;
    });

    it("builds the given Dockerfile from the given context for linux/amd64 and pushes it, never at preview", () => {
      expect(image.inputs).toMatchObject({ platforms: ["linux/amd64"], push: true, buildOnPreview: false });
      const dockerfile = path.resolve((image.inputs.dockerfile as { location: string }).location);
      expect(dockerfile).toBe(path.join(ROOT, "apps", "ml-api", "Dockerfile"));
      expect(fs.existsSync(dockerfile)).toBe(true);
    });

    it("gives the build paths relative to the program's folder, so another checkout's path is no change that rebuilds", () => {
      const { location } = image.inputs.context as { location: string };
      expect(path.isAbsolute(location)).toBe(false);
      expect(path.resolve(location)).toBe(ROOT);
    });

    it("logs in to the registry with an ECR token the engine keeps secret", () => {
      expect(secretInput(image.inputs.registries)).toEqual([
        { address: REGISTRY, username: "AWS", password: "mock-ecr-password" },
      ]);
    });

    it("tags the image by content in the given repository, never a moving tag the immutable repository would refuse twice", () => {
      expect(image.inputs.tags).toEqual([expect.stringMatching(new RegExp(`^${REPOSITORY_URL}:amd64-[0-9a-f]{20}$`))]);
    });

    it("derives that tag from the API's sources and lockfile, not from files the build never sees", () => {
      const files = buildContextFiles({ contextDir: ROOT, dockerfile: "apps/ml-api/Dockerfile" });
      expect(files).toEqual(
        expect.arrayContaining([
          "apps/ml-api/Dockerfile",
          "apps/ml-api/src/main.ts",
          "apps/ml-api/scripts/build-model.ts",
          "package-lock.json",
        ]),
      );
      expect(
        files.filter((f) => f.endsWith("README.md") || f.includes("/tests/") || f.startsWith("projects/")),
      ).toEqual([]);
    });

    it("hands out the pushed digest (<tag>@sha256:...) as imageRef", () => {
      const ref = String(image.state.ref);
      expect(ref).toMatch(new RegExp(`^${String((image.inputs.tags as string[])[0])}@sha256:[0-9a-f]{64}$`));
      expect(imageRef).toBe(ref);
    });

    it("waits for nothing, so it builds while the rest of the layer is created (issue 27)", () => {
      expect(image.dependsOn).toEqual([]);
      expect(image.parent).toBe("mlapi:service:ApiImage::api-build");
    });
  });

  it("builds for linux/arm64 with an arm64 tag on ARM64", async () => {
    const image = one(await render({ cpuArchitecture: "ARM64" }), IMAGE);
    expect(image.inputs.platforms).toEqual(["linux/arm64"]);
    expect(image.inputs.tags).toEqual([expect.stringMatching(/:arm64-[0-9a-f]{20}$/)]);
  });
});
