// --values: render a deploy values file with @zerodown/deploy and rehearse the Deployment it renders,
// so the chart's timings are the ones rehearsed. The chart (schema, models) loads only when asked for.
import { RehearseManifestError } from './errors.js'
import { parseManifest, type DeploymentSpec } from './manifest.js'

/** `kubeVersion`: render for that Kubernetes, as `zerodown-deploy render --kube-version` does. */
export async function deploymentFromValues (files: string[], kubeVersion?: string): Promise<DeploymentSpec> {
  const label = files.join(', ')
  const deploy = await import('@zerodown/deploy')
  try {
    const objects = deploy.render(deploy.collectOverrides({ files }), { release: 'rehearsal', ...(kubeVersion !== undefined && { kubeVersion }) })
    return parseManifest(deploy.toYaml(objects), label)
  } catch (err) {
    if (err instanceof RehearseManifestError) throw err
    const { message, problems } = err as { message: string, problems?: Array<{ path: string, message: string }> }
    const detail = problems?.map((p) => `${p.path}: ${p.message}`).join('; ') ?? message
    throw new RehearseManifestError(label, detail)
  }
}
