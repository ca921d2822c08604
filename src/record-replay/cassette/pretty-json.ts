/**
 * JSON laid out for reading and diffing: a value goes on one line when it fits in `width`
 * characters, otherwise it is spread one member per line. Frames and events (the elements of
 * `input` and `output`) always take one line each, so a session reads as a timeline.
 */
export function prettyJson(value: unknown, width = 120): string {
  return layout(value, '', width, false) + '\n'
}

const ONE_LINE_ITEMS = new Set(['input', 'output'])

function layout(value: unknown, indent: string, width: number, oneLine: boolean): string {
  const compact = JSON.stringify(value)
  if (oneLine || value === null || typeof value !== 'object' || compact.length + indent.length <= width) return compact
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((item) => inner + layout(item, inner, width, false)).join(',\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{}'
  const members = entries.map(([key, member]) => {
    const items = ONE_LINE_ITEMS.has(key) && Array.isArray(member) && member.length > 0
    const text = items
      ? `[\n${(member as unknown[]).map((item) => `${inner}  ${JSON.stringify(item)}`).join(',\n')}\n${inner}]`
      : layout(member, inner, width, false)
    return `${inner}${JSON.stringify(key)}: ${text}`
  })
  return `{\n${members.join(',\n')}\n${indent}}`
}
