/** The part of a Fastify instance readyError() needs (testkit does not depend on Fastify). */
export interface Readyable {
  ready (): PromiseLike<unknown>
  close (): PromiseLike<unknown>
}

/**
 * What `app.ready()` fails with (a plugin registered on `app` beforehand that rejected its options,
 * say), or `undefined`; the instance is closed either way.
 */
export async function readyError (app: Readyable): Promise<unknown> {
  try {
    await app.ready()
    return undefined
  } catch (err) {
    return err
  } finally {
    await app.close()
  }
}
