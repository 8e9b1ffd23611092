// What a jest config maps an unused dependency of a dependency to (jest.config.js says which and why).
// Any use of it fails: it exports nothing.
export {};
