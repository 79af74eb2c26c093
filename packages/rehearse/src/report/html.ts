// A self-contained HTML page: requests per second by version with failures, and the pod timeline,
// drawn as inline SVG on the rehearsal's one clock. No scripts, no external files.
import { formatSummary } from './format.js'
import type { RehearsalResult } from './summary.js'

const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const WIDTH = 960
const LEFT = 60
const RIGHT = 20
const FAIL = '#e15759'
const PALETTE = ['#4c78a8', '#59a14f', '#b07aa1', '#9c755f']

function versionColor (r: RehearsalResult, version: string): string {
  if (version === r.versions.old) return PALETTE[0]!
  if (version === r.versions.new) return PALETTE[1]!
  return PALETTE[2]!
}

function xScale (r: RehearsalResult): (ms: number) => number {
  const end = Math.max(r.durationMs, 1)
  return (ms) => LEFT + (ms / end) * (WIDTH - LEFT - RIGHT)
}

function axis (r: RehearsalResult, y: number): string {
  const x = xScale(r)
  const step = r.durationMs > 60_000 ? 10_000 : r.durationMs > 20_000 ? 5_000 : 1_000
  let out = `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" stroke="#999"/>`
  for (let t = 0; t <= r.durationMs; t += step) {
    out += `<line x1="${x(t)}" x2="${x(t)}" y1="${y}" y2="${y + 4}" stroke="#999"/><text x="${x(t)}" y="${y + 16}" text-anchor="middle">${t / 1000}s</text>`
  }
  return out
}

function markers (r: RehearsalResult, top: number, bottom: number): string {
  const x = xScale(r)
  const marks: Array<[number | undefined, string]> = [[r.rollout.startedAt, 'rollout starts'], [r.rollout.completedAt, 'rollout complete'], [r.afterRollout.since, 'old pods gone']]
  return marks.filter(([at]) => at !== undefined).map(([at, label]) =>
    `<line x1="${x(at!)}" x2="${x(at!)}" y1="${top}" y2="${bottom}" stroke="#333" stroke-dasharray="4 3"/><text x="${x(at!) + 3}" y="${top + 10}">${esc(label)}</text>`
  ).join('')
}

function requestChart (r: RehearsalResult): string {
  const height = 220
  const top = 20
  const bottom = top + height
  const x = xScale(r)
  const max = Math.max(1, ...r.versionsOverTime.map((b) => Object.values(b.byVersion).reduce((a, n) => a + n, 0) + b.failures))
  const y = (n: number): number => (n / max) * height
  const barWidth = Math.max(1, x(1000) - x(0) - 1)
  let bars = ''
  for (const b of r.versionsOverTime) {
    let base = bottom
    for (const [version, n] of Object.entries(b.byVersion).sort()) {
      bars += `<rect x="${x(b.at)}" y="${base - y(n)}" width="${barWidth}" height="${y(n)}" fill="${versionColor(r, version)}"><title>${esc(version)}: ${n} ok at ${b.at / 1000}s</title></rect>`
      base -= y(n)
    }
    if (b.failures > 0) {
      bars += `<rect x="${x(b.at)}" y="${base - y(b.failures)}" width="${barWidth}" height="${y(b.failures)}" fill="${FAIL}"><title>${b.failures} failed at ${b.at / 1000}s</title></rect>`
    }
  }
  const legend = [...new Set(r.versionsOverTime.flatMap((b) => Object.keys(b.byVersion)))].map((v) => [v, versionColor(r, v)] as const)
    .concat([['failed', FAIL]])
    .map(([label, color], i) => `<rect x="${LEFT + i * 120}" y="${bottom + 26}" width="12" height="12" fill="${color}"/><text x="${LEFT + i * 120 + 16}" y="${bottom + 36}">${esc(label)}</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${bottom + 50}" font-family="sans-serif" font-size="11">
<text x="4" y="${top + 10}">req/s</text><text x="4" y="${top + 24}">max ${max}</text>
${bars}${markers(r, top, bottom)}${axis(r, bottom)}${legend}</svg>`
}

function podTimeline (r: RehearsalResult): string {
  const rowHeight = 22
  const top = 10
  const x = xScale(r)
  const bottom = top + r.pods.length * rowHeight
  let rows = ''
  r.pods.forEach((pod, i) => {
    const y = top + i * rowHeight
    const events = r.podEvents.filter((e) => e.pod === pod.name)
    const end = pod.exitedAt ?? r.durationMs
    const segment = (from: number, to: number, color: string, title: string): string =>
      to > from ? `<rect x="${x(from)}" y="${y + 3}" width="${Math.max(1, x(to) - x(from))}" height="${rowHeight - 8}" fill="${color}"><title>${esc(title)}</title></rect>` : ''
    rows += segment(pod.createdAt, end, '#ddd', `${pod.name}: starting`)
    // Ready spans, from the ready / not-ready events.
    let readyFrom: number | undefined
    for (const e of events) {
      if (e.kind === 'ready') readyFrom = e.at
      if ((e.kind === 'not-ready' || e.kind === 'deleted') && readyFrom !== undefined) {
        rows += segment(readyFrom, e.at, versionColor(r, pod.version), `${pod.name} ready (${pod.version})`)
        readyFrom = undefined
      }
    }
    if (readyFrom !== undefined) rows += segment(readyFrom, end, versionColor(r, pod.version), `${pod.name} ready (${pod.version})`)
    if (pod.deletedAt !== undefined) rows += segment(pod.deletedAt, end, '#f28e2b', `${pod.name} terminating`)
    for (const e of events) {
      if (e.kind === 'sigterm') rows += `<line x1="${x(e.at)}" x2="${x(e.at)}" y1="${y + 1}" y2="${y + rowHeight - 3}" stroke="#000" stroke-width="2"><title>SIGTERM</title></line>`
      if (e.kind === 'sigkill') rows += `<text x="${x(e.at)}" y="${y + 15}" fill="${FAIL}" font-weight="bold" text-anchor="middle">✕<title>SIGKILL</title></text>`
      if (e.kind === 'restarting') rows += `<text x="${x(e.at)}" y="${y + 15}" fill="${FAIL}" text-anchor="middle">↻<title>${esc(e.detail ?? 'restart')}</title></text>`
    }
    rows += `<text x="${x(end) + 4}" y="${y + 15}">${esc(pod.version)}${pod.exit !== undefined ? ` · ${esc(pod.exit)}` : ''}</text>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH + 120}" height="${bottom + 30}" font-family="sans-serif" font-size="11">
${rows}${markers(r, top, bottom)}${axis(r, bottom)}</svg>`
}

/** The sweep's runs as a bar per removal delay, green when it passed, and the margin. */
function sweepSection (r: RehearsalResult): string {
  if (r.sweep === undefined) return ''
  const margin = r.sweep.marginMs === undefined
    ? 'No removal delay passed: this rollout has no safety margin.'
    : `Safety margin: the rollout passed with endpoints removed up to ${r.sweep.marginMs} ms after deletion${r.sweep.stoppedBy === 'max-runs' ? ' (or more: the sweep reached its last run)' : ''}.`
  const rows = r.sweep.runs.map((run) =>
    `<tr><td>${run.removeDelayMs} ms</td><td class="${run.ok ? 'pass' : 'fail'}">${run.ok ? 'PASS' : `FAIL${run.outcome !== 'complete' ? ` (${esc(run.outcome)})` : ` (${run.failed} failed)`}`}</td></tr>`).join('')
  return `<h2>Removal delay sweep</h2>
<p class="${r.sweep.marginMs === undefined ? 'fail' : 'pass'}">${esc(margin)}</p>
<table><tr><th>removal delay</th><th>result</th></tr>${rows}</table>`
}

export function renderHtmlReport (r: RehearsalResult): string {
  const title = `Rehearsal of ${r.deployment.name}: ${r.versions.old} → ${r.versions.new} — ${r.ok ? 'PASS' : 'FAIL'}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}pre{background:#f6f6f6;padding:12px;white-space:pre-wrap}
h1{font-size:20px}td,th{padding:2px 12px;text-align:left}h2{font-size:16px;margin-top:28px}.pass{color:#2b8a3e}.fail{color:${FAIL}}
.key span{display:inline-block;margin-right:16px}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}</style></head>
<body>
<h1 class="${r.ok ? 'pass' : 'fail'}">${esc(title)}</h1>
<pre>${esc(formatSummary(r))}</pre>
${sweepSection(r)}
<h2>Requests per second by version, and failures</h2>
${requestChart(r)}
<h2>Pods</h2>
<p class="key"><span><i style="background:#ddd"></i>starting / not ready</span><span><i style="background:${PALETTE[0]}"></i>ready ${esc(r.versions.old)}</span><span><i style="background:${PALETTE[1]}"></i>ready ${esc(r.versions.new)}</span><span><i style="background:#f28e2b"></i>terminating</span><span>| SIGTERM</span><span style="color:${FAIL}">✕ SIGKILL</span><span style="color:${FAIL}">↻ restart</span></p>
${podTimeline(r)}
</body></html>
`
}
