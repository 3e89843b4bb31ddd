// The kit's own fetch, kept under this name for the project's tests.
export { fetchFromHandlers } from './idp/fetch.ts';
