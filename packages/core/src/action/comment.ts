// The sticky pull request comment: one comment per (action, key), found again by a hidden marker and edited in place,
// so a PR that is pushed to ten times shows one up-to-date report rather than ten. Fork PRs get a read-only token;
// that is an expected situation, reported as 'forbidden' so the caller can fall back to the job summary.
import type { getOctokit } from '@actions/github';
import type { RunContext } from '../context.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { link, truncateMarkdown, type Markdown } from '../markdown.js';
import { writeJobSummary, type WriteJobSummaryOptions } from './summary.js';

export type Octokit = ReturnType<typeof getOctokit>;
/** The part of an Octokit the comment code uses; tests and callers with their own client can pass one. */
export type GitHubClient = Pick<Octokit, 'request'>;

/**
 * GitHub refuses comment bodies over 65 536 characters (422 "Body is too long"). GitHub counts characters; we count
 * JS string length (UTF-16 code units), which is never less than the character count, so a body we accept is never
 * refused for length.
 */
export const COMMENT_LIMIT_CHARS = 65_536;

const MAX_PAGES = 100; // 10 000 comments: beyond that, give up looking and post a new comment.

export interface CommentMarker {
  /** The action writing the comment, e.g. 'evaluate'. */
  action: string;
  /** Distinguishes several comments of one action on the same PR, e.g. the model name. */
  key: string;
}

/** `<!-- mlops-actions:<action>:<key> -->`, with anything that could end the HTML comment or blur the fields replaced. */
export function commentMarker({ action, key }: CommentMarker): string {
  const clean = (part: string) => part.replace(/[^\w./@+-]/g, '-').replace(/-{2,}/g, '-');
  return `<!-- mlops-actions:${clean(action)}:${clean(key)} -->`;
}

/** The marker first, then the report, truncated to GitHub's limit with a link to the run for the rest. */
export function commentBody(marker: string, markdown: string, runUrl: string): string {
  const note =
    `> ⚠️ **This comment was truncated** to GitHub's limit of ${COMMENT_LIMIT_CHARS} characters. ` +
    `${link('See the full report in the workflow run', runUrl)}.`;
  return `${marker}\n${truncateMarkdown(markdown.trimEnd(), COMMENT_LIMIT_CHARS - marker.length - 1, note)}`;
}

/**
 * An Octokit from @actions/github, pointed at `apiUrl` (default: GITHUB_API_URL read now, not when the module was
 * first imported, so tests and GHES set it whenever they like). Imported lazily: @actions/github reads the event
 * payload and environment at import time.
 */
export async function createGitHubClient(token: string, apiUrl = process.env.GITHUB_API_URL): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, apiUrl ? { baseUrl: apiUrl.replace(/\/+$/, '') } : {});
}

export interface UpsertCommentOptions {
  /** A client to use instead of building one from `token`. */
  octokit?: GitHubClient;
  token?: string;
  owner: string;
  repo: string;
  /** The pull request (or issue) number. */
  issueNumber: number;
  marker: CommentMarker;
  /** The report, as markdown, without the marker. */
  body: string;
  /** Linked from the truncation note. */
  runUrl: string;
  logger: Logger;
  /** Defaults to GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string;
  signal?: AbortSignal;
}

export type CommentResult =
  | { outcome: 'created' | 'updated'; id: number; url: string }
  | { outcome: 'forbidden'; status?: number; message: string };

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

const isDenied = (status: number | undefined) => status === 403 || status === 404;

/**
 * Creates the comment carrying `marker`, or updates it when one exists. 403 and 404 (a fork PR's read-only token, a
 * token without `pull-requests: write`, an issue the token cannot see) log a warning and return 'forbidden'; other
 * failures throw.
 */
export async function upsertPullRequestComment(options: UpsertCommentOptions): Promise<CommentResult> {
  const { owner, repo, issueNumber, logger } = options;
  const where = `${owner}/${repo}#${issueNumber}`;
  let client = options.octokit;
  if (!client) {
    if (!options.token) {
      const message = `No GitHub token was given, so the report cannot be posted as a comment on ${where}`;
      logger.warning(message);
      return { outcome: 'forbidden', message };
    }
    client = await createGitHubClient(options.token, options.apiUrl);
  }
  const marker = commentMarker(options.marker);
  const body = commentBody(marker, options.body, options.runUrl);
  if (options.body.trimEnd().length + marker.length + 1 > COMMENT_LIMIT_CHARS) {
    logger.info(`The report is longer than a comment allows; the comment on ${where} was truncated`);
  }
  const request = options.signal ? { signal: options.signal } : {};

  try {
    for (const candidate of await findMarkedComments(client, options, marker, request)) {
      try {
        const { data } = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
          owner,
          repo,
          comment_id: candidate,
          body,
          request,
        });
        logger.info(`Updated the report comment on ${where}: ${data.html_url}`);
        return { outcome: 'updated', id: Number(data.id), url: data.html_url };
      } catch (error) {
        // Someone else's comment that quotes our marker (403), or one deleted since we listed it (404): try the next.
        if (!isDenied(httpStatus(error))) throw error;
        logger.debug(`Could not update comment ${candidate} on ${where} (HTTP ${httpStatus(error)}); trying the next`);
      }
    }
    const { data } = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner,
      repo,
      issue_number: issueNumber,
      body,
      request,
    });
    logger.info(`Posted the report comment on ${where}: ${data.html_url}`);
    return { outcome: 'created', id: Number(data.id), url: data.html_url };
  } catch (error) {
    const status = httpStatus(error);
    if (!isDenied(status)) throw error;
    const hint =
      status === 403
        ? 'Pull requests from forks get a read-only token; otherwise give the job `permissions: pull-requests: write`'
        : 'The pull request does not exist or the token cannot see it';
    const message = `Cannot write the report comment on ${where} (HTTP ${status}: ${errorMessage(error)}). ${hint}.`;
    logger.warning(message);
    return { outcome: 'forbidden', status, message };
  }
}

/** Ids of the comments holding the marker, ours (marker first) before those that merely quote it, oldest first. */
async function findMarkedComments(
  client: GitHubClient,
  { owner, repo, issueNumber, logger }: UpsertCommentOptions,
  marker: string,
  request: { signal?: AbortSignal },
): Promise<number[]> {
  const leading: number[] = [];
  const quoting: number[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data, headers } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
      page,
      request,
    });
    for (const comment of data) {
      if (comment.body?.startsWith(marker)) leading.push(Number(comment.id));
      else if (comment.body?.includes(marker)) quoting.push(Number(comment.id));
    }
    const more = headers.link ? /rel="next"/.test(headers.link) : data.length === 100;
    if (!more) break;
    if (page === MAX_PAGES) logger.debug(`Stopped looking for the report comment after ${MAX_PAGES} pages`);
  }
  if (leading.length > 1) logger.debug(`${leading.length} comments carry ${marker}; updating the oldest`);
  return [...leading, ...quoting];
}

export interface PublishReportOptions {
  markdown: string | Markdown;
  /** Write the report to the job summary. */
  summary: boolean;
  /**
   * Post the report as a sticky PR comment. Without `issueNumber` (not a pull request event) there is nothing to
   * comment on and the report goes to the job summary.
   */
  comment: false | (Omit<UpsertCommentOptions, 'body' | 'logger' | 'issueNumber'> & { issueNumber?: number });
  logger: Logger;
  summaryOptions?: Omit<WriteJobSummaryOptions, 'logger'>;
}

/**
 * Where an action's report goes as a sticky comment on this run's pull request: one comment per action, workflow and
 * key, so two workflows reporting on one PR keep their own comments.
 */
export function stickyCommentTarget(
  context: RunContext,
  options: { action: string; key: string; token: string | undefined; signal?: AbortSignal },
): NonNullable<Exclude<PublishReportOptions['comment'], false>> {
  return {
    token: options.token,
    owner: context.owner,
    repo: context.repo,
    issueNumber: context.prNumber,
    marker: { action: options.action, key: `${context.workflow}/${options.key}` },
    runUrl: context.runUrl,
    apiUrl: context.apiUrl,
    signal: options.signal,
  };
}

export interface PublishReportResult {
  /** Whether the job summary was written. */
  summary: boolean;
  comment?: CommentResult;
}

/**
 * Writes the report where it was asked for. When the comment cannot be written (a fork PR, missing permission, an API
 * error) the report goes to the job summary instead, with a warning, and never to the summary twice.
 */
export async function publishReport(options: PublishReportOptions): Promise<PublishReportResult> {
  const { logger } = options;
  const markdown = options.markdown.toString();
  let comment: CommentResult | undefined;
  let fallback = false;
  if (options.comment) {
    const { issueNumber, ...rest } = options.comment;
    if (issueNumber === undefined) {
      logger.info('Not a pull request: the report goes to the job summary instead of a comment');
      fallback = true;
    } else {
      try {
        comment = await upsertPullRequestComment({ ...rest, issueNumber, body: markdown, logger });
        fallback = comment.outcome === 'forbidden';
      } catch (error) {
        logger.warning(`Could not write the report comment: ${errorMessage(error)}`);
        fallback = true;
      }
      if (fallback) {
        logger.info(
          options.summary ? 'The report is in the job summary' : 'Writing the report to the job summary instead',
        );
      }
    }
  }
  const summary =
    options.summary || fallback ? await writeJobSummary(markdown, { ...options.summaryOptions, logger }) : false;
  return { summary, ...(comment ? { comment } : {}) };
}
