/**
 * What a flow's declared values must be, each rule in one wording: `WhatsAppFlow`, the props and
 * manifest of `WhatsAppFlowDirectory`, and the CLI (`validate` reads manifests, `pull --waba`)
 * check the same values the same way. Each function returns the problem in words (what is wrong,
 * the value received, the fix), or undefined. No CDK import: the caller skips tokens.
 */
import { WABA_ARN_PATTERN, WABA_ID_PATTERN } from '../shared/contract';
import { renderValue } from './messages';

/** Where a user finds the AWS ids of the linked WABAs. */
const LIST_WABAS = '`aws socialmessaging list-linked-whatsapp-business-accounts`';

/** The linked WABA, by its AWS id (`waba-…`) or ARN; `prop` names it as the user wrote it (`wabaId`, `--waba`). */
export function wabaIdProblem(prop: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `${prop} is required and must be a string, got ${renderValue(value)}; use the AWS id of the linked WABA (waba-…) or its ARN`;
  }
  if (WABA_ID_PATTERN.test(value) || WABA_ARN_PATTERN.test(value)) return undefined;
  const fix = /^[0-9]+$/.test(value)
    ? ` (that looks like Meta's numeric WABA id; AWS End User Messaging Social names the account by its own id, shown by ${LIST_WABAS})`
    : `; ${LIST_WABAS} lists them`;
  return `${prop} must be the AWS id of a linked WhatsApp Business Account (waba-<32 hex characters>) or its ARN, got ${renderValue(value)}${fix}`;
}

/** A flow's name: 1-200 characters, no white space around it. */
export function flowNameProblem(name: string): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > 200) {
    return `flowName must be 1-200 characters, got ${length}${length ? ` (${renderValue(name)})` : ''}; ${length ? 'shorten it' : 'give the flow a name'}`;
  }
  if (name.trim() !== name) return `flowName must not start or end with white space, got ${renderValue(name)}; trim it`;
  return undefined;
}

/** How many categories a flow has: 1 to 9. `example` is a valid list as the user writes it. */
export function categoryCountProblem(categories: unknown, example: string): string | undefined {
  if (Array.isArray(categories) && categories.length >= 1 && categories.length <= 9) return undefined;
  return `categories must list 1 to 9 categories, got ${Array.isArray(categories) ? categories.length : renderValue(categories)}; for example ${example}`;
}

/** A category listed a second time. */
export function repeatedCategoryProblem(category: string): string {
  return `categories lists ${category} twice; list each category once`;
}
