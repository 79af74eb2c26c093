// A plugin's route on the app's port, claimed so that a collision with one of the app's routes is the
// plugin's coded error, whichever is registered first, rather than Fastify's FST_ERR_DUPLICATED_ROUTE.

interface Route { url: string, method: string | string[] }
/** The part of a Fastify instance this needs (the contract depends on no Fastify version). */
export interface RouteHost {
  addHook: (name: 'onRoute', hook: (route: Route) => void) => unknown
}

/** Registers the route with `register`; `taken` makes the error for a collision, now or later. */
export function claimRoute (app: RouteHost, path: string, taken: () => Error, register: () => unknown): void {
  try {
    register()
  } catch (err) {
    throw (err as { code?: string }).code === 'FST_ERR_DUPLICATED_ROUTE' ? taken() : err
  }
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method)
    if (route.url === path && (methods.includes('GET') || methods.includes('HEAD'))) throw taken()
  })
}
