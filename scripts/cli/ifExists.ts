import * as k8s from "@kubernetes/client-node";

const isNotFound = (error: unknown): boolean =>
  error instanceof k8s.HttpError && (error.statusCode ?? error.response?.statusCode) === 404;

/** `read()`'s value, or undefined when the object does not exist. */
export async function ifExists<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}
