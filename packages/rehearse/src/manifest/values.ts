// --values: render a deploy values file with @zerodown/deploy and rehearse the Deployment it renders,
// so the chart's timings are the ones rehearsed. The rendered objects are read as they are, and named
// after the user's release. The chart (schema, models) loads only when asked for.
import { RehearseManifestError } from '../errors.js'
import { deploymentFromObjects, type DeploymentSpec } from './manifest.js'

export interface ValuesRender {
  /** The release, as `zerodown-deploy render RELEASE`. Default: the chart's name. */
  release?: string | undefined
  /** Render for this Kubernetes, as `zerodown-deploy render --kube-version`. */
  kubeVersion?: string | undefined
}

export async function deploymentFromValues (files: string[], render: ValuesRender = {}): Promise<DeploymentSpec> {
  const label = files.join(', ')
  const deploy = await import('@zerodown/deploy')
  try {
    const objects = deploy.render(deploy.collectOverrides({ files }), {
      ...(render.release !== undefined && { release: render.release }),
      ...(render.kubeVersion !== undefined && { kubeVersion: render.kubeVersion })
    })
    return deploymentFromObjects(structuredClone(objects), label)
  } catch (err) {
    if (err instanceof RehearseManifestError) throw err
    const { message, problems } = err as { message: string, problems?: Array<{ path: string, message: string }> }
    const detail = problems?.map((p) => `${p.path}: ${p.message}`).join('; ') ?? message
    throw new RehearseManifestError(label, detail)
  }
}
