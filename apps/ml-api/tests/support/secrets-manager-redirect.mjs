// Preloaded into the server process by the rotation test (NODE_OPTIONS="--import <this file>"):
// sends the service's Secrets Manager calls (https://secretsmanager.<region>.amazonaws.com/) to
// the local stand-in at SECRETS_MANAGER_STAND_IN, as a DNS override would. The request itself
// (SigV4-signed GetSecretValue) is unchanged; nothing else in the process is touched.
const standIn = process.env.SECRETS_MANAGER_STAND_IN;
const realFetch = globalThis.fetch;
const SECRETS_MANAGER = /^https:\/\/secretsmanager\.[a-z0-9-]+\.amazonaws\.com\//;

globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  return standIn && SECRETS_MANAGER.test(url)
    ? realFetch(`${standIn}${new URL(url).pathname}`, init)
    : realFetch(input, init);
};
