import { ComponentSpec } from './catalogue';
import { Ctx, Obj, Path } from './context';

/** One component found in a screen's layout, in document order. */
export interface ComponentNode {
  readonly comp: Obj;
  /** The `type`, when it is a string: the type meant, when the document misspells a known one. */
  readonly type: string | undefined;
  /** The catalogue entry, when the type is known (or a near miss of a known one). */
  readonly spec: ComponentSpec | undefined;
  /** The type as the document writes it, when it is a misspelling of `type`. */
  readonly misspelt?: string;
  readonly path: Path;
  /** Index of the parent component in the screen's node list; -1 for the layout. */
  readonly parent: number;
  /** Which list of the parent holds it: `children`, `then`, `else` or `case:<key>`. */
  readonly slot: string;
  /** The parent's type (`layout` for the layout itself). */
  readonly parentType: string;
  /** Inside a Form. */
  readonly inForm: boolean;
  /** Number of If/Switch ancestors. */
  readonly condDepth: number;
  /** Number of If ancestors, counting itself when it is an If. */
  readonly ifDepth: number;
}

/**
 * What the checks could not see on a screen, so that they do not report what would follow from it:
 * the cause is reported once, its consequences are not guessed at.
 */
export interface Hidden {
  /** A component list is missing or malformed (layout, Form children, If then, Switch cases). */
  lists: boolean;
  /** An unknown component holds an action: it may be the screen's Footer, or navigate. */
  actions: boolean;
  /** Names given by unknown components and what they hold: maybe inputs that `${form.…}` reads. */
  readonly inputs: Set<string>;
  /** An input has no usable name: any `${form.…}` of the screen may have meant it. */
  anyInput: boolean;
}

/** What the checks need to know about one screen. */
export interface ScreenInfo {
  readonly index: number;
  readonly path: Path;
  readonly obj: Obj;
  /** The id, when it is a string (even a malformed one). */
  readonly id: string | undefined;
  readonly terminal: boolean;
  /** Declared data fields: name -> declaration (undefined when the declaration is malformed). */
  readonly data: Map<string, Obj | undefined>;
  readonly nodes: ComponentNode[];
  /** Input components by name (the first one when a name repeats). */
  readonly inputs: Map<string, ComponentNode>;
  readonly formNames: Set<string>;
  readonly hasForm: boolean;
  /** Some action on this screen is a data_exchange (its next screen is decided by the endpoint). */
  hasDataExchange: boolean;
  readonly hidden: Hidden;
  /**
   * An action of this screen could not be followed (a navigate to a screen that does not exist, an
   * unknown or missing action, an event property missing, something hidden): the navigate graph may
   * lack an edge from it, so the routing checks that an edge would satisfy are not applied.
   */
  unresolvedRoute: boolean;
}

/** A navigate action: an edge of the routing graph implied by the JSON (rules §7). */
export interface NavigateEdge {
  readonly from: ScreenInfo;
  readonly to: ScreenInfo;
  /** Path of the action. */
  readonly path: Path;
  /** From an OptIn or EmbeddedLink: a side trip ("read more"), not a step of the flow. */
  readonly aside: boolean;
}

/** The whole document as the checks see it. */
export interface Flow {
  readonly ctx: Ctx;
  readonly doc: Obj;
  readonly screens: ScreenInfo[];
  /** Screens by id (the first one when an id repeats). */
  readonly byId: Map<string, ScreenInfo>;
  readonly edges: NavigateEdge[];
}
