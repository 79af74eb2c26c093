// --values: render a deploy values file with @zerodown/deploy (an optional peer, loaded only here) and
// rehearse the Deployment it renders, so the chart's timings are the ones rehearsed.
import { RehearseManifestError } from './errors.js'
import { parseManifest, type DeploymentSpec } from './manifest.js'

export async function deploymentFromValues (files: string[]): Promise<DeploymentSpec> {
  const label = files.join(', ')
  let deploy: typeof import('@zerodown/deploy')
  try {
    deploy = await import('@zerodown/deploy')
  } catch {
    throw new RehearseManifestError(label, 'rendering values needs @zerodown/deploy: npm install @zerodown/deploy (or pass --manifest with rendered YAML)')
  }
  try {
    const objects = deploy.render(deploy.collectOverrides({ files }), { release: 'rehearsal' })
    return parseManifest(deploy.toYaml(objects), label)
  } catch (err) {
    if (err instanceof RehearseManifestError) throw err
    const { message, problems } = err as { message: string, problems?: Array<{ path: string, message: string }> }
    const detail = problems?.map((p) => `${p.path}: ${p.message}`).join('; ') ?? message
    throw new RehearseManifestError(label, detail)
  }
}
