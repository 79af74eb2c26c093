// The contract as the root README shows it: one row per setting, and the propagation annotation.
import { SETTINGS } from './settings.js'
import { PROPAGATION_ANNOTATION } from './timing.js'

const HEADER = [
  '| what | chart value (`deploy/values.yaml`) | pod environment | plugin option | default when unset | unit |',
  '|---|---|---|---|---|---|'
]

/**
 * The README's table in markdown. `chartDefault` gives a chart value's default from values.yaml
 * (numbers are shown beside the value's path).
 */
export function contractTable (chartDefault: (path: string) => unknown): string {
  const rows = Object.values(SETTINGS).map((s) => {
    const chart = s.chart === undefined ? `— (${String(s.elsewhere)})` : `\`${s.chart.path}\`${note(chartDefault(s.chart.path), s.chart.whenNull)}`
    const env = `\`${s.env}\`${s.chart?.whenNull !== undefined ? ' (only when set)' : ''}`
    const plugin = s.plugin === undefined ? '— (the app\'s own `listen()`)' : `\`@zerodown/${s.plugin.name}\` \`${s.plugin.option}\``
    return `| ${s.what} | ${chart} | ${env} | ${plugin} | ${s.defaultText} | ${s.unit} |`
  })
  const propagation = `| propagation allowance P | \`shutdown.propagationSeconds\`${note(chartDefault('shutdown.propagationSeconds'))} | — (Deployment annotation \`${PROPAGATION_ANNOTATION}\`) | — (\`zerodown-rehearse\` default \`--propagation-delay-ms\`) | — | s |`
  return [...HEADER, ...rows, propagation].join('\n')
}

function note (value: unknown, whenNull?: string): string {
  if (value === null && whenNull !== undefined) return ` (null: ${whenNull})`
  return typeof value === 'number' ? ` (${value})` : ''
}
