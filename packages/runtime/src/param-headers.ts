/*
 * SEP-2243 (2026-07-28 Streamable HTTP): a tool's input schema may mark a primitive
 * property with `x-mcp-header: <Name>`; a client then mirrors that argument into an
 * `Mcp-Param-<Name>` header, and the server MUST reject a request whose header is
 * missing, undecodable or different from the body (HTTP 400, JSON-RPC -32020). The SDK
 * does this for tools registered on its high-level server only; the gateway's tools
 * are its connectors', so it checks them itself against the schema it lists. This
 * follows the SDK's own rules (@modelcontextprotocol/server 2.4.0).
 */

/** The JSON-RPC code of a header that disagrees with the body. */
export const HEADER_MISMATCH = -32020;

const HEADER_PREFIX = 'Mcp-Param-';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PERMITTED_TYPES = new Set(['string', 'integer', 'boolean', 'number']);
const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CANONICAL_DECIMAL = /^-?\d+(\.\d+)?$/;

export interface ParamHeaderDeclaration {
  readonly path: readonly string[];
  readonly header: string;
  readonly type: string;
}

/** The `x-mcp-header` declarations reachable through `properties` chains (anything else is not a declaration a client mirrors). */
export function paramHeaderDeclarations(inputSchema: unknown): ParamHeaderDeclaration[] {
  const out: ParamHeaderDeclaration[] = [];
  const visit = (node: unknown, path: readonly string[], depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 32) return;
    const schema = node as Record<string, unknown>;
    const header = schema['x-mcp-header'];
    if (path.length > 0 && typeof header === 'string' && TOKEN.test(header) && typeof schema.type === 'string' && PERMITTED_TYPES.has(schema.type)) {
      out.push({ path, header, type: schema.type });
    }
    const properties = schema.properties;
    if (properties !== null && typeof properties === 'object') {
      for (const [key, child] of Object.entries(properties as Record<string, unknown>)) visit(child, [...path, key], depth + 1);
    }
  };
  visit(inputSchema, [], 0);
  return out;
}

/** Why the `Mcp-Param-*` headers of a tools/call disagree with its arguments, or undefined when they agree. */
export function paramHeaderProblem(declarations: readonly ParamHeaderDeclaration[], args: unknown, headers: Headers): { readonly header: string; readonly message: string } | undefined {
  for (const declaration of declarations) {
    const name = `${HEADER_PREFIX}${declaration.header}`;
    let value: unknown = args;
    for (const key of declaration.path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null) continue;
    const body = primitiveText(value);
    if (body === undefined) continue;
    const raw = headers.get(name);
    if (raw === null) return { header: name, message: `the body carries ${declaration.path.join('.')} but the ${name} header is absent` };
    const decoded = decodeHeader(raw);
    if (decoded === undefined) return { header: name, message: `the ${name} header carries an invalid Base64 sentinel value` };
    const numeric = (declaration.type === 'integer' || declaration.type === 'number') && typeof value === 'number' && CANONICAL_DECIMAL.test(decoded);
    if (numeric ? Number(decoded) !== value : decoded !== body) {
      return { header: name, message: `the ${name} header decodes to ${JSON.stringify(decoded)} but the body carries ${declaration.path.join('.')}=${JSON.stringify(value)}` };
    }
  }
  return undefined;
}

function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value);
  return undefined;
}

/** A header value: as it is, or the UTF-8 text of an `=?base64?…?=` sentinel; undefined when the sentinel is malformed. */
function decodeHeader(value: string): string | undefined {
  if (!(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  const base64 = value.slice('=?base64?'.length, -'?='.length);
  if (!BASE64_CANONICAL.test(base64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}
