/** The corpus of third-party Flow JSON documents beside the repository (../shared/corpus/flows). */
export declare const CORPUS_DIR: string;
/** Whether that folder exists here. */
export declare const CORPUS_PRESENT: boolean;
/** Why tests that need it are skipped when it does not. */
export declare const CORPUS_SKIP_REASON: string;
