// A tier's default bound on each test and hook: jest takes testTimeout for the whole run only, so
// each project of jest.config.js gives its own as the global TIER_TIMEOUT_MS.
declare const TIER_TIMEOUT_MS: number;
jest.setTimeout(TIER_TIMEOUT_MS);
