import { send, type RequestRecord } from '@zerodown/testkit'
import type { Test } from 'tap'
import { Agent } from 'undici'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** One GET on a keep-alive connection of its own, started now; never throws. */
export function request (t: Test, origin: string, path: string): Promise<RequestRecord> {
  const agent = new Agent({ connections: 1 })
  t.teardown(() => agent.destroy())
  return send(agent, origin, path, 15_000)
}

/**
 * Asks /readyz on new connections until it stops answering 200: once a SIGTERM has been taken, the
 * first answer that is not 200 (no fixed window to hit on a busy machine).
 */
export async function readinessAfterSignal (t: Test, origin: string): Promise<RequestRecord> {
  for (;;) {
    const res = await request(t, origin, '/readyz')
    if (res.status !== 200) return res
    await sleep(20)
  }
}
