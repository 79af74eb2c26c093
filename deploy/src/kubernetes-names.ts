// The name rules of the Kubernetes API server (apimachinery's validation), each as a test and the
// rule in words, so a lint message can quote the rule it applies.

export interface NameRule {
  test: (text: string) => boolean
  /** The rule in words, completing "must be ...". */
  rule: string
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

const isSubdomain = (text: string): boolean => text.length <= 253 && text.split('.').every((part) => DNS_LABEL.test(part))

export const DNS1123_LABEL: NameRule = {
  test: (text) => text.length <= 63 && DNS_LABEL.test(text),
  rule: 'a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit'
}

export const DNS1035_LABEL: NameRule = {
  test: (text) => text.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(text),
  rule: 'a DNS-1035 label: at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit'
}

export const DNS1123_SUBDOMAIN: NameRule = {
  test: isSubdomain,
  rule: 'a DNS-1123 subdomain: at most 253 characters of DNS-1123 labels (lowercase letters, digits and "-") joined by "."'
}

export const QUALIFIED_NAME: NameRule = {
  test: (text) => {
    const slash = text.lastIndexOf('/')
    const [prefix, name] = slash === -1 ? [undefined, text] : [text.slice(0, slash), text.slice(slash + 1)]
    return (prefix === undefined || (prefix !== '' && isSubdomain(prefix))) && name.length <= 63 && LABEL_NAME.test(name)
  },
  rule: 'a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'
}

export const LABEL_VALUE: NameRule = {
  test: (text) => text === '' || (text.length <= 63 && LABEL_NAME.test(text)),
  rule: 'empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'
}

export const HOST_NAME: NameRule = {
  // Ingress and HTTPRoute hosts: a subdomain, optionally a wildcard "*." in front; never an IP address.
  test: (text) => isSubdomain(text.startsWith('*.') ? text.slice(2) : text) && !/^[0-9.]+$/.test(text),
  rule: 'a host name: lowercase DNS labels (letters, digits and "-") joined by ".", at most 253 characters, optionally starting with "*."; not an IP address, a port or a path'
}

export const PORT_NAME: NameRule = {
  // IANA_SVC_NAME, as container port names must be.
  test: (text) => text.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text) && /[a-z]/.test(text) && !text.includes('--'),
  rule: 'an IANA service name: at most 15 lowercase letters, digits and "-", with at least one letter, no "--", starting and ending with a letter or digit'
}
