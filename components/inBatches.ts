/**
 * Builds many components a batch at a time, letting the event loop turn between batches. A resource's
 * registration is asynchronous: the SDK holds its inputs, half-serialised, until the resources it depends
 * on have registered, which cannot happen while one synchronous loop builds a thousand apps. Built in
 * batches, each batch registers before the next is built (under `pulumi up` its requests go out), and
 * memory holds one batch's pending registrations instead of every app's (about 0.5 GB at 1000 apps).
 */

/** Apps built between two turns of the event loop. */
export const BUILD_BATCH = 10;

export async function inBatches<T>(
  items: readonly T[],
  build: (item: T) => void,
  size = BUILD_BATCH,
): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % size === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    build(items[i]);
  }
}
