/**
 * `promise`, or a rejection saying that `what` did not happen within `ms`: an awaited event
 * (a socket close, a process exit, a message) fails the test at once instead of leaving it to the
 * runner's limit.
 */
export async function within<T> (promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
