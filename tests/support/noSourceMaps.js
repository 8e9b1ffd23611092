// What tests/support/programPreload.js resolves source-map-support to in the processes the engine
// tests run (it says why): `require("source-map-support/register")` and `.install()` install nothing.
module.exports = { install() {} };
