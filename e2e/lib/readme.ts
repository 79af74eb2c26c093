// A README as a registry page shows it: markdownlint with the repository's rules, every link checked
// for where a reader lands, and the markdown rendered by markdown-it (the renderer behind the npm
// registry's pages) to find code blocks that ran on past where the author meant them to end.
import { existsSync, readFileSync } from 'node:fs'
import { join, posix, resolve } from 'node:path'
import MarkdownIt from 'markdown-it'
import { lint } from 'markdownlint/promise'

export const root = resolve(import.meta.dirname, '../..')
const GITHUB = 'https://github.com/zerodown/zerodown/'

/** markdownlint's findings, one line each, with the repository's .markdownlint.jsonc. */
export async function lintMarkdown (name: string, text: string): Promise<string[]> {
  const source = readFileSync(join(root, '.markdownlint.jsonc'), 'utf8')
  const config = JSON.parse(source.replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>
  const results = await lint({ strings: { [name]: text }, config })
  return (results[name] ?? []).map((r) => `${name}:${r.lineNumber} ${r.ruleNames.join('/')} ${r.ruleDescription}${r.errorDetail ? ` [${r.errorDetail}]` : ''}`)
}

const md = new MarkdownIt({ html: true, linkify: true })
type Token = ReturnType<typeof md.parse>[number]

// GitHub's and the npm registry's heading anchors: lower case, punctuation dropped, spaces to dashes.
const slug = (text: string): string => text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')

function headings (tokens: Token[]): string[] {
  return tokens.flatMap((token, i) => token.type === 'heading_open'
    ? [slug((tokens[i + 1]?.children ?? []).map((c) => c.content).join(''))]
    : [])
}

function links (tokens: Token[]): Array<{ href: string, line: number }> {
  return tokens.flatMap((token) => (token.children ?? [])
    .filter((child) => child.type === 'link_open' || child.type === 'image')
    .map((child) => ({ href: String(child.attrGet('href') ?? child.attrGet('src') ?? ''), line: (token.map?.[0] ?? 0) + 1 })))
}

/**
 * Where each link lands for a reader of the registry's page. A relative link resolves against the
 * page's own URL, where no file of the package is served: links are absolute, or anchors of a
 * heading of this README. A link into this repository on GitHub must name a file or folder that
 * exists in it (a file the package publishes is there too, beside the package's folder).
 */
export function checkLinks (text: string, pkg: { directory: string }): string[] {
  const tokens = md.parse(text, {})
  const anchors = new Set(headings(tokens))
  const problems: string[] = []
  for (const { href, line } of links(tokens)) {
    if (href.startsWith('#')) {
      if (!anchors.has(decodeURIComponent(href.slice(1)))) problems.push(`line ${line}: ${href} names no heading of this README`)
      continue
    }
    if (/^mailto:/.test(href)) continue
    if (!/^https?:\/\//.test(href)) {
      problems.push(`line ${line}: the relative link ${href} resolves against the registry page, where no file is; link to ${GITHUB}blob/main/${posix.join(pkg.directory, href)}`)
      continue
    }
    const inRepo = href.match(/^https:\/\/github\.com\/zerodown\/zerodown\/(?:blob|tree)\/main\/([^#?]*)/)
    if (inRepo === null) continue
    const path = decodeURIComponent(inRepo[1]!).replace(/\/$/, '')
    if (!existsSync(join(root, path))) problems.push(`line ${line}: ${href} names ${path}, which is not in the repository`)
  }
  return problems
}

const COMMENT_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console', 'yaml', 'yml', 'dockerfile', 'python', 'toml', 'ini'])
const TABLE_DELIMITER = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/
const HEADING = /^#{1,6}\s+\S/
const SECTION = /^#{2,6}\s+[A-Z`]/

/** Code blocks that swallowed what follows them: one never closed, or one holding a table or a heading. */
export function swallowedByCode (text: string): string[] {
  const lines = text.split('\n')
  const problems: string[] = []
  for (const token of md.parse(text, {})) {
    if (token.type !== 'fence' && token.type !== 'code_block') continue
    const [start, end] = token.map ?? [0, 0]
    const where = `the code block at line ${start + 1}`
    if (token.type === 'fence') {
      const closing = (lines[end - 1] ?? '').trim()
      const closed = end - 1 > start && closing.startsWith(token.markup) && /^[`~]+$/.test(closing)
      if (!closed) problems.push(`${where} is never closed: it runs to the end of the README`)
    }
    const body = token.content.split('\n')
    const language = token.info.trim().split(/\s+/)[0] ?? ''
    const heading = COMMENT_LANGUAGES.has(language) ? SECTION : HEADING
    body.forEach((line, i) => {
      if (heading.test(line)) problems.push(`${where} swallows the heading "${line}" (line ${start + 2 + i})`)
      if (i > 0 && TABLE_DELIMITER.test(line) && body[i - 1]!.includes('|')) {
        problems.push(`${where} swallows a table ("${body[i - 1]}", line ${start + 1 + i})`)
      }
    })
  }
  return problems
}
