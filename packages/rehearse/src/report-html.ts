export function renderHtmlReport (): string { return '' }
