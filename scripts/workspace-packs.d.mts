export const root: string
export function readPackageJson (dir: string): Record<string, any>
export function workspacePackages (): Map<string, string>
export function internalClosure (dir: string, workspace?: Map<string, string>, seen?: Map<string, string>): Map<string, string>
export function pack (packages: Map<string, string>, destination: string): Map<string, string>
