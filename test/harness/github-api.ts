// A local stand-in for the GitHub REST API, covering the operations the actions call (see
// scripts/extract-github-openapi.ts). Requests are checked against GitHub's own OpenAPI description, extracted to
// test/fixtures/github-openapi.json, and so are this server's responses: a test passing here means the client sent
// what GitHub accepts and coped with what GitHub answers.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'github-openapi.json');

/** GitHub's limit for issue comment bodies; its OpenAPI description does not state it. */
export const COMMENT_BODY_LIMIT = 65_536;

type Schema = { [key: string]: unknown };
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
  externalDocs?: { url: string };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------------------------
// A JSON-schema checker for the subset GitHub's description uses for these operations (OpenAPI 3.0 flavour:
// `nullable`, `$ref` to components). `format`, `example` and descriptions are ignored, as GitHub's validator does for
// most formats.

function resolve<T>(root: OpenApi, node: T): T {
  let current: unknown = node;
  for (let depth = 0; depth < 32; depth++) {
    const ref = (current as { $ref?: unknown } | null)?.$ref;
    if (typeof ref !== 'string') return current as T;
    const match = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
    current = match ? root.components[match[1] ?? '']?.[match[2] ?? ''] : undefined;
    if (current === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  throw new Error('$ref chain too deep');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(type: string, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** The first problem with `value`, phrased the way GitHub phrases it, or undefined when it conforms. */
export function validateSchema(root: OpenApi, schemaOrRef: Schema, value: unknown, at = ''): string | undefined {
  const schema = resolve(root, schemaOrRef);
  const where = at ? `For '${at}', ` : '';
  const shown = JSON.stringify(value) ?? String(value);
  if (value === null && (schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null')))) {
    return undefined;
  }
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => matchesType(t, value))) return `${where}${shown} is not ${types.map(article).join(' or ')}.`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
    return `${where}${shown} is not a member of ${JSON.stringify(schema.enum)}.`;
  }
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
      return `${where}${shown} is longer than ${schema.maxLength} characters.`;
    }
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
      return `${where}${shown} is shorter than ${schema.minLength} characters.`;
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      return `${where}${shown} is less than ${schema.minimum}.`;
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      return `${where}${shown} is more than ${schema.maximum}.`;
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in object)) return `${where}"${key}" wasn't supplied.`;
    }
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    const keys = Object.keys(object);
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) {
      return `${where}${keys.length} properties is more than ${schema.maxProperties}.`;
    }
    for (const key of keys) {
      const inner = at ? `${at}/${key}` : `properties/${key}`;
      const property = properties[key];
      if (property) {
        const problem = validateSchema(root, property, object[key], inner);
        if (problem) return problem;
      } else if (schema.additionalProperties === false) {
        return `${where}"${key}" is not a permitted key.`;
      } else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
        const problem = validateSchema(root, schema.additionalProperties as Schema, object[key], inner);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (const [index, item] of value.entries()) {
      const problem = validateSchema(root, schema.items as Schema, item, `${at || 'items'}/${index}`);
      if (problem) return problem;
    }
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf as Schema[]) {
      const problem = validateSchema(root, part, value, at);
      if (problem) return problem;
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const problems = (schema.anyOf as Schema[]).map((part) => validateSchema(root, part, value, at));
    if (!problems.includes(undefined))
      return `${where}${shown} does not match any of the allowed schemas (${problems.join(' ')})`;
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as Schema[]).filter((part) => validateSchema(root, part, value, at) === undefined);
    if (matching.length !== 1) {
      return `${where}${shown} ${matching.length === 0 ? 'matches none' : 'matches more than one'} of the allowed schemas.`;
    }
  }
  return undefined;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// ---------------------------------------------------------------------------------------------------------------

export interface StoredComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: ReturnType<typeof userFor>;
  created_at: string;
  updated_at: string;
  author_association: string;
  performed_via_github_app: null;
  /** Not part of GitHub's answer: where the comment lives. */
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it did not parse, or undefined without a body. */
  body: unknown;
  operationId?: string;
  /** The status this server answered with. */
  status?: number;
}

export interface WorkflowDispatch {
  owner: string;
  repo: string;
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
}

export interface GitHubApi {
  /** The base URL to use as GITHUB_API_URL / apiUrl. */
  url: string;
  stop(): Promise<void>;
  requests: RecordedRequest[];
  comments: StoredComment[];
  dispatches: WorkflowDispatch[];
  /** Answers every write with 403, as GitHub does for a fork PR's read-only token. */
  forbidWrites(forbid?: boolean): void;
  /** Makes the next matching request fail with `status` (e.g. 500), once. */
  failNext(status: number, message?: string, method?: string): void;
  /** Seeds a comment, e.g. one by another user or another action. */
  addComment(comment: {
    owner: string;
    repo: string;
    issueNumber: number;
    body: string;
    login?: string;
  }): StoredComment;
}

const API_DOCS = 'https://docs.github.com/rest';

function userFor(login: string, apiUrl: string, serverUrl: string) {
  const bot = login.endsWith('[bot]');
  const id = bot ? 41898282 : 1000 + [...login].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  const api = `${apiUrl}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: `${bot ? 'BOT' : 'U'}_kgDO${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: bot ? `${serverUrl}/apps/${login.replace(/\[bot\]$/, '')}` : `${serverUrl}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: bot ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  operation: Operation;
}

function compileRoutes(spec: OpenApi): Route[] {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      })
      .join('');
    for (const [method, operation] of Object.entries(item)) {
      if (method === 'parameters') continue;
      routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, operation });
    }
  }
  return routes;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly payload: Record<string, unknown>,
  ) {
    super(String(payload.message));
  }
}

function errorPayload(status: number, message: string, documentation = API_DOCS, extra: Record<string, unknown> = {}) {
  return { message, documentation_url: documentation, status: String(status), ...extra };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGitHubApi(options: { serverUrl?: string } = {}): Promise<GitHubApi> {
  const spec = JSON.parse(readFileSync(FIXTURE, 'utf8')) as OpenApi;
  const routes = compileRoutes(spec);
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const requests: RecordedRequest[] = [];
  const comments: StoredComment[] = [];
  const dispatches: WorkflowDispatch[] = [];
  let forbidden = false;
  let failure: { status: number; message: string; method?: string } | undefined;
  let nextId = 1_000_000_001;
  let baseUrl = '';

  const addComment: GitHubApi['addComment'] = ({ owner, repo, issueNumber, body, login = 'github-actions[bot]' }) => {
    const id = nextId++;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const comment: StoredComment = {
      id,
      node_id: `IC_kwDO${id.toString(36)}`,
      url: `${baseUrl}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `${serverUrl}/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${issueNumber}`,
      body,
      user: userFor(login, baseUrl, serverUrl),
      created_at: now,
      updated_at: now,
      author_association: login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
      performed_via_github_app: null,
      owner,
      repo,
      issueNumber,
    };
    comments.push(comment);
    return comment;
  };

  const publicComment = ({ owner: _o, repo: _r, issueNumber: _n, ...rest }: StoredComment) => rest;

  function checkCommentBody(body: { body: string }, documentation: string): void {
    if (body.body.length > COMMENT_BODY_LIMIT) {
      throw new HttpError(
        422,
        errorPayload(422, 'Validation Failed', documentation, {
          errors: [
            {
              resource: 'IssueComment',
              code: 'unprocessable',
              field: 'data',
              message: `Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
            },
          ],
        }),
      );
    }
  }

  type Handler = (
    params: Record<string, string>,
    query: URLSearchParams,
    body: Record<string, unknown>,
    documentation: string,
  ) => { status: number; payload?: unknown; headers?: Record<string, string> | undefined };

  const handlers: Record<string, Handler> = {
    'issues/list-comments': ({ owner, repo, issue_number }, query) => {
      const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30)));
      const page = Math.max(1, Number(query.get('page') ?? 1));
      const since = query.get('since');
      const all = comments.filter(
        (c) =>
          c.owner.toLowerCase() === owner?.toLowerCase() &&
          c.repo.toLowerCase() === repo?.toLowerCase() &&
          c.issueNumber === Number(issue_number) &&
          (!since || c.updated_at >= since),
      );
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const pageUrl = (n: number) => {
        const params = new URLSearchParams(query);
        params.set('per_page', String(perPage));
        params.set('page', String(n));
        return `<${baseUrl}/repos/${owner}/${repo}/issues/${issue_number}/comments?${params}>`;
      };
      const links: string[] = [];
      if (page > 1) links.push(`${pageUrl(page - 1)}; rel="prev"`);
      if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
      if (page > 1) links.push(`${pageUrl(1)}; rel="first"`);
      return {
        status: 200,
        payload: all.slice((page - 1) * perPage, page * perPage).map(publicComment),
        headers: links.length ? { link: links.join(', ') } : undefined,
      };
    },
    'issues/create-comment': ({ owner = '', repo = '', issue_number }, _query, body, documentation) => {
      checkCommentBody(body as { body: string }, documentation);
      const comment = addComment({ owner, repo, issueNumber: Number(issue_number), body: String(body.body) });
      return { status: 201, payload: publicComment(comment), headers: { location: comment.url } };
    },
    'issues/update-comment': ({ owner, repo, comment_id }, _query, body, documentation) => {
      const comment = comments.find(
        (c) =>
          c.id === Number(comment_id) &&
          c.owner.toLowerCase() === owner?.toLowerCase() &&
          c.repo.toLowerCase() === repo?.toLowerCase(),
      );
      if (!comment) throw new HttpError(404, errorPayload(404, 'Not Found', documentation));
      // The token writes as github-actions[bot], which may not edit other people's comments.
      if (comment.user.type !== 'Bot') {
        throw new HttpError(403, errorPayload(403, 'Resource not accessible by integration', documentation));
      }
      checkCommentBody(body as { body: string }, documentation);
      comment.body = String(body.body);
      comment.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { status: 200, payload: publicComment(comment) };
    },
    'actions/create-workflow-dispatch': ({ owner = '', repo = '', workflow_id = '' }, _query, body) => {
      const id = nextId++;
      dispatches.push({
        owner,
        repo,
        workflowId: decodeURIComponent(workflow_id),
        ref: String(body.ref),
        inputs: (body.inputs as Record<string, unknown> | undefined) ?? {},
      });
      if (body.return_run_details !== true) return { status: 204 };
      return {
        status: 200,
        payload: {
          workflow_run_id: id,
          run_url: `${baseUrl}/repos/${owner}/${repo}/actions/runs/${id}`,
          html_url: `${serverUrl}/${owner}/${repo}/actions/runs/${id}`,
        },
      };
    },
  };

  function send(response: ServerResponse, status: number, payload?: unknown, headers: Record<string, string> = {}) {
    const text = payload === undefined ? '' : JSON.stringify(payload);
    response.writeHead(status, {
      ...(payload === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    response.end(text);
  }

  function validateParameters(route: Route, params: Record<string, string>, query: URLSearchParams): void {
    for (const raw of route.operation.parameters ?? []) {
      const parameter = resolve(spec, raw) as Parameter;
      const value = parameter.in === 'path' ? params[parameter.name] : (query.get(parameter.name) ?? undefined);
      if (value === undefined) {
        if (parameter.required)
          throw new HttpError(422, errorPayload(422, `Invalid request.\n\n"${parameter.name}" wasn't supplied.`));
        continue;
      }
      const decoded = decodeURIComponent(value);
      // Query and path values arrive as text; GitHub reads them as the schema's type when that type is numeric.
      const type = parameter.schema?.type;
      const typed =
        (type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(decoded) ? Number(decoded) : decoded;
      const problem = parameter.schema && validateSchema(spec, parameter.schema, typed, parameter.name);
      if (problem) {
        throw new HttpError(
          422,
          errorPayload(422, `Invalid request.\n\n${problem}`, route.operation.externalDocs?.url),
        );
      }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse, record: RecordedRequest): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    if (text) {
      try {
        record.body = JSON.parse(text);
      } catch {
        record.body = text;
      }
    }
    if (!request.headers.authorization) {
      throw new HttpError(401, errorPayload(401, 'Requires authentication'));
    }
    const method = (request.method ?? 'GET').toUpperCase();
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const candidate of routes) {
      const match = candidate.method === method ? candidate.pattern.exec(url.pathname) : null;
      if (!match) continue;
      route = candidate;
      params = Object.fromEntries(candidate.names.map((name, i) => [name, match[i + 1] ?? '']));
      break;
    }
    if (!route) throw new HttpError(404, errorPayload(404, 'Not Found'));
    const { operation } = route;
    record.operationId = operation.operationId;
    const documentation = operation.externalDocs?.url ?? API_DOCS;

    if (failure && (!failure.method || failure.method === method)) {
      const { status, message } = failure;
      failure = undefined;
      throw new HttpError(status, errorPayload(status, message, documentation));
    }
    if (forbidden && method !== 'GET') {
      throw new HttpError(403, errorPayload(403, 'Resource not accessible by integration', documentation));
    }
    validateParameters(route, params, url.searchParams);

    let body: Record<string, unknown> = {};
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (operation.requestBody) {
      if (text === '' && operation.requestBody.required) {
        throw new HttpError(400, errorPayload(400, 'Problems parsing JSON', documentation));
      }
      if (text !== '') {
        if (typeof record.body === 'string')
          throw new HttpError(400, errorPayload(400, 'Problems parsing JSON', documentation));
        const problem = schema && validateSchema(spec, schema, record.body);
        if (problem) throw new HttpError(422, errorPayload(422, `Invalid request.\n\n${problem}`, documentation));
        body = record.body as Record<string, unknown>;
      }
    }

    const handler = handlers[operation.operationId];
    if (!handler) throw new HttpError(404, errorPayload(404, 'Not Found', documentation));
    const result = handler(params, url.searchParams, body, documentation);
    checkResponse(operation, result.status, result.payload);
    record.status = result.status;
    send(response, result.status, result.payload, result.headers);
  }

  // Our answers are checked like the requests, so a harness that drifts from GitHub's shapes fails loudly.
  function checkResponse(operation: Operation, status: number, payload: unknown): void {
    const declared = operation.responses[String(status)];
    if (!declared) throw new Error(`harness bug: ${operation.operationId} does not answer ${status}`);
    const schema = resolve(spec, declared).content?.['application/json']?.schema;
    if (schema === undefined) {
      if (payload !== undefined) throw new Error(`harness bug: ${operation.operationId} ${status} has no body`);
      return;
    }
    const problem = validateSchema(spec, schema, payload);
    if (problem) throw new Error(`harness bug: ${operation.operationId} ${status} response: ${problem}`);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body: undefined,
    };
    requests.push(record);
    handle(request, response, record).catch((error: unknown) => {
      if (error instanceof HttpError) {
        record.status = error.status;
        send(response, error.status, error.payload);
      } else {
        record.status = 500;
        send(response, 500, { message: error instanceof Error ? error.message : String(error) });
      }
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    requests,
    comments,
    dispatches,
    addComment,
    forbidWrites(forbid = true) {
      forbidden = forbid;
    },
    failNext(status, message = 'Server Error', method) {
      failure = { status, message, ...(method ? { method: method.toUpperCase() } : {}) };
    },
    stop() {
      return new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}
