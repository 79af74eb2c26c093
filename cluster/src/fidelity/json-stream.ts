// Splits a stream of concatenated JSON values (what `kubectl get --watch -o json` prints) into values.
export class JsonStream {
  private buffer = ''
  private depth = 0
  private inString = false
  private escaped = false
  private start = -1

  constructor (private readonly onValue: (value: unknown) => void) {}

  push (chunk: string): void {
    const base = this.buffer.length
    this.buffer += chunk
    for (let i = base; i < this.buffer.length; i++) {
      const c = this.buffer[i]
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === '\\') this.escaped = true
        else if (c === '"') this.inString = false
      } else if (c === '"') {
        this.inString = true
      } else if (c === '{' || c === '[') {
        if (this.depth++ === 0) this.start = i
      } else if ((c === '}' || c === ']') && --this.depth === 0) {
        this.onValue(JSON.parse(this.buffer.slice(this.start, i + 1)))
        this.buffer = this.buffer.slice(i + 1)
        i = -1
        this.start = -1
      }
    }
    if (this.depth === 0) this.buffer = ''
  }
}
