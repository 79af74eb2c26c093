/** Just enough of a Dockerfile reader to check the image's steps against the tests. */
export interface Stage {
  from: string
  run: string[]
  copy: string[]
  workdir?: string
  user?: string
  cmd: string[]
  expose: string[]
}

export interface Dockerfile {
  /** Global ARG defaults (before the first FROM). */
  args: Record<string, string>
  stages: Stage[]
}

export function parseDockerfile (text: string): Dockerfile {
  const instructions = text
    .replace(/\\\n/g, ' ') // line continuations
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const result: Dockerfile = { args: {}, stages: [] }
  for (const line of instructions) {
    const [keyword = '', ...rest] = line.split(/\s+/)
    const value = rest.join(' ')
    const stage = result.stages.at(-1)
    switch (keyword.toUpperCase()) {
      case 'FROM':
        result.stages.push({ from: rest[0] ?? '', run: [], copy: [], cmd: [], expose: [] })
        break
      case 'ARG': {
        const [name = '', def] = value.split('=')
        if (stage === undefined && def !== undefined) result.args[name] = def
        break
      }
      case 'RUN': stage?.run.push(value); break
      case 'COPY': stage?.copy.push(value); break
      case 'WORKDIR': if (stage) stage.workdir = value; break
      case 'USER': if (stage) stage.user = value; break
      case 'EXPOSE': stage?.expose.push(...rest); break
      case 'CMD': if (stage) stage.cmd = JSON.parse(value) as string[]; break
    }
  }
  return result
}
