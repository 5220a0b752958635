/** What a section receives from the runner. */
import type { BenchOptions, CorpusDoc, Scratch } from './context';

export interface SectionContext {
  readonly options: BenchOptions;
  readonly scratch: Scratch;
  readonly docs: { readonly median: CorpusDoc; readonly largest: CorpusDoc; readonly largestInline: CorpusDoc };
  /** Progress on stderr (not part of the results). */
  readonly progress: (msg: string) => void;
}
