export function formatSummary (): string { return '' }
