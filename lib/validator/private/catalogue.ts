/**
 * The component catalogue of rules §4 (Meta's Components reference), per version.
 *
 * A property spec says what JSON type a property takes, from which version, its character limit
 * and its allowed values. Anything not listed is an unknown property (rule C8).
 */
import { Version, V4_0, V5_0, V5_1, V6_0, V6_1, V6_2, V6_3, V7_1 } from './versions';

/** The JSON type a property takes when it is not a dynamic `${…}` reference or a backtick expression. */
export type Kind =
  | 'string'
  | 'boolean'
  | 'number'
  | 'integer'
  | 'array'
  | 'object'
  | 'action'
  | 'stringOrArray'
  | 'stringOrObject'
  | 'booleanOrObject'
  | 'components';

export interface PropSpec {
  readonly kind: Kind;
  /** Version that introduced the property. */
  readonly since?: Version;
  /** Character limit (rules §4). */
  readonly max?: number;
  /** A lower limit that secondary sources cite and the rules mark UNCONFIRMED: exceeding it is only a warning. */
  readonly softMax?: number;
  readonly enum?: readonly string[];
  /** The property cannot be dynamic (`name`, `type`, child lists). */
  readonly staticOnly?: boolean;
  /** Only allowed when the component is outside a Form (rules §3: `init-value`, `error-message`). */
  readonly outsideFormOnly?: boolean;
  /**
   * From this version a string property also takes an array of strings, one per line (TextBody
   * and TextCaption with markdown, as RichText; Meta's own examples write them so).
   */
  readonly linesSince?: Version;
}

/** The JSON type of an input's value, as `${form.name}` yields it. */
export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'unknown';

export interface ComponentSpec {
  readonly since?: Version;
  readonly required: readonly string[];
  /** Properties that became required in a later version (CheckboxGroup/RadioButtonsGroup `label` from 4.0). */
  readonly requiredSince?: Readonly<Record<string, Version>>;
  readonly props: Readonly<Record<string, PropSpec>>;
  /** An input: has a `name`, belongs in a Form before 4.0, and can be read with `${form.name}`. */
  readonly input?: boolean;
  readonly valueType?: ValueType;
  /** Actions each event property accepts (rules §6). */
  readonly events?: Readonly<Record<string, readonly string[]>>;
  /** Static `data-source` option counts (rules §4.2). */
  readonly options?: { readonly min: number; readonly max: number };
  /** A media picker (rules §4.2 media-picker rules): the property holding its upload maximum. */
  readonly maxUploadsProp?: string;
}

const str = (max?: number, extra: Partial<PropSpec> = {}): PropSpec => ({ kind: 'string', max, ...extra });
const bool: PropSpec = { kind: 'boolean' };
const int: PropSpec = { kind: 'integer' };
const num: PropSpec = { kind: 'number' };
const action: PropSpec = { kind: 'action' };
const nameProp: PropSpec = { kind: 'string', staticOnly: true };

const FONT_WEIGHTS = ['bold', 'italic', 'bold_italic', 'normal'];
const MEDIA_SIZES = ['regular', 'large'];
const SCALE_TYPES = ['cover', 'contain'];

/** Actions by event, for the selection components (rules §6: update_data on selection components, 6.0+). */
const SELECTION_EVENTS = {
  'on-select-action': ['data_exchange', 'update_data'],
  'on-unselect-action': ['data_exchange', 'update_data'],
};

const textProps = (max: number): Record<string, PropSpec> => ({
  'text': str(max, { linesSince: V5_1 }),
  'font-weight': { kind: 'string', enum: FONT_WEIGHTS },
  'strikethrough': bool,
  'markdown': { kind: 'boolean', since: V5_1 },
});

const selectionGroup = (multi: boolean): ComponentSpec => ({
  required: ['name', 'data-source'],
  requiredSince: { label: V4_0 },
  input: true,
  valueType: multi ? 'array' : 'string',
  options: { min: 1, max: 20 },
  events: SELECTION_EVENTS,
  props: {
    'name': nameProp,
    'label': str(30),
    'description': { kind: 'string', since: V4_0 },
    'data-source': { kind: 'array' },
    'required': bool,
    'enabled': bool,
    'on-select-action': action,
    'on-unselect-action': { kind: 'action', since: V6_0 },
    'media-size': { kind: 'string', since: V5_0, enum: MEDIA_SIZES },
    'init-value': { kind: multi ? 'array' : 'string', since: V4_0, outsideFormOnly: true },
    'error-message': { kind: 'string', since: V4_0, outsideFormOnly: true },
    ...(multi ? { 'min-selected-items': int, 'max-selected-items': int } : {}),
  },
});

export const COMPONENTS: Readonly<Record<string, ComponentSpec>> = {
  // §4.1 Text
  TextHeading: { required: ['text'], props: { text: str(80) } },
  TextSubheading: { required: ['text'], props: { text: str(80) } },
  TextBody: { required: ['text'], props: textProps(4096) },
  TextCaption: { required: ['text'], props: textProps(409) },
  RichText: { since: V5_1, required: ['text'], props: { text: { kind: 'stringOrArray' } } },

  // §4.2 Inputs
  TextInput: {
    required: ['name', 'label'],
    input: true,
    valueType: 'string',
    props: {
      'name': nameProp,
      'label': str(20),
      'input-type': { kind: 'string', enum: ['text', 'number', 'email', 'password', 'passcode', 'phone'] },
      'pattern': { kind: 'string', since: V6_2 },
      'required': bool,
      'min-chars': int,
      'max-chars': int,
      'helper-text': str(80),
      'enabled': bool,
      'init-value': { kind: 'string', since: V4_0, outsideFormOnly: true },
      'error-message': { kind: 'string', since: V4_0, max: 30, outsideFormOnly: true },
    },
  },
  TextArea: {
    required: ['name', 'label'],
    input: true,
    valueType: 'string',
    props: {
      'name': nameProp,
      'label': str(20),
      'helper-text': str(80),
      'max-length': int,
      'required': bool,
      'enabled': bool,
      'init-value': { kind: 'string', since: V4_0, outsideFormOnly: true },
      'error-message': { kind: 'string', since: V4_0, outsideFormOnly: true },
    },
  },
  CheckboxGroup: selectionGroup(true),
  RadioButtonsGroup: selectionGroup(false),
  Dropdown: {
    required: ['name', 'label', 'data-source'],
    input: true,
    valueType: 'string',
    options: { min: 1, max: 200 },
    events: SELECTION_EVENTS,
    props: {
      'name': nameProp,
      'label': str(20),
      'data-source': { kind: 'array' },
      'required': bool,
      'enabled': bool,
      'on-select-action': action,
      'on-unselect-action': { kind: 'action', since: V6_0 },
      'init-value': { kind: 'string', since: V4_0, outsideFormOnly: true },
      'error-message': { kind: 'string', since: V4_0, outsideFormOnly: true },
    },
  },
  DatePicker: {
    required: ['name', 'label'],
    input: true,
    valueType: 'string',
    events: { 'on-select-action': ['data_exchange'] },
    props: {
      'name': nameProp,
      'label': str(40),
      'helper-text': str(80),
      'min-date': { kind: 'string' },
      'max-date': { kind: 'string' },
      'unavailable-dates': { kind: 'array' },
      'required': bool,
      'enabled': bool,
      'on-select-action': action,
      'init-value': { kind: 'string', since: V4_0, outsideFormOnly: true },
      'error-message': { kind: 'string', since: V4_0, max: 80, outsideFormOnly: true },
    },
  },
  CalendarPicker: {
    since: V6_1,
    required: ['name', 'label'],
    input: true,
    valueType: 'unknown', // a string in single mode, {start-date, end-date} in range mode
    events: { 'on-select-action': ['data_exchange'] },
    props: {
      'name': nameProp,
      'label': { kind: 'stringOrObject', max: 40 },
      'title': str(80),
      'description': str(300),
      'mode': { kind: 'string', enum: ['single', 'range'] },
      'helper-text': { kind: 'stringOrObject', max: 80 },
      'min-date': { kind: 'string' },
      'max-date': { kind: 'string' },
      'unavailable-dates': { kind: 'array' },
      'include-days': { kind: 'array' },
      'min-days': int,
      'max-days': int,
      'required': { kind: 'booleanOrObject' },
      'enabled': bool,
      'on-select-action': action,
      'init-value': { kind: 'stringOrObject', outsideFormOnly: true },
      'error-message': { kind: 'stringOrObject', max: 80, outsideFormOnly: true },
    },
  },
  OptIn: {
    required: ['name', 'label'],
    input: true,
    valueType: 'boolean',
    events: {
      'on-click-action': ['navigate', 'data_exchange', 'open_url'],
      'on-select-action': ['update_data', 'data_exchange'],
      'on-unselect-action': ['update_data', 'data_exchange'],
    },
    props: {
      'name': nameProp,
      'label': str(120),
      'required': bool,
      'on-click-action': action,
      'on-select-action': { kind: 'action', since: V6_0 },
      'on-unselect-action': { kind: 'action', since: V6_0 },
      'init-value': { kind: 'boolean', since: V4_0, outsideFormOnly: true },
    },
  },
  ChipsSelector: {
    since: V6_3,
    required: ['name', 'label', 'data-source'],
    input: true,
    valueType: 'array',
    options: { min: 2, max: 20 },
    events: SELECTION_EVENTS,
    props: {
      'name': nameProp,
      'label': str(80),
      'description': str(300),
      'data-source': { kind: 'array' },
      'min-selected-items': int,
      'max-selected-items': int,
      'required': bool,
      'enabled': bool,
      'on-select-action': action,
      'on-unselect-action': action,
      'init-value': { kind: 'array', outsideFormOnly: true },
      'error-message': { kind: 'string', outsideFormOnly: true },
    },
  },
  PhotoPicker: {
    since: V4_0,
    required: ['name', 'label'],
    input: true,
    valueType: 'array',
    maxUploadsProp: 'max-uploaded-photos',
    props: {
      'name': nameProp,
      'label': str(80),
      'description': str(300),
      'photo-source': { kind: 'string', enum: ['camera_gallery', 'camera', 'gallery'] },
      'max-file-size-kb': int,
      'min-uploaded-photos': int,
      'max-uploaded-photos': int,
      'enabled': bool,
      'error-message': { kind: 'stringOrObject', outsideFormOnly: true },
    },
  },
  DocumentPicker: {
    since: V4_0,
    required: ['name', 'label'],
    input: true,
    valueType: 'array',
    maxUploadsProp: 'max-uploaded-documents',
    props: {
      'name': nameProp,
      'label': str(80),
      'description': str(300),
      'max-file-size-kb': int,
      'min-uploaded-documents': int,
      'max-uploaded-documents': int,
      'allowed-mime-types': { kind: 'array' },
      'enabled': bool,
      'error-message': { kind: 'stringOrObject', outsideFormOnly: true },
    },
  },

  // §4.3 Navigation, media, layout helpers
  Footer: {
    required: ['label', 'on-click-action'],
    events: { 'on-click-action': ['navigate', 'complete', 'data_exchange'] },
    props: {
      'label': str(35, { softMax: 30 }),
      'left-caption': str(15),
      'center-caption': str(15),
      'right-caption': str(15),
      'enabled': bool,
      'on-click-action': action,
    },
  },
  EmbeddedLink: {
    required: ['text', 'on-click-action'],
    events: { 'on-click-action': ['navigate', 'data_exchange', 'open_url'] },
    props: { 'text': str(25), 'on-click-action': action },
  },
  Image: {
    required: ['src'],
    props: {
      'src': { kind: 'string' },
      'width': int,
      'height': int,
      'scale-type': { kind: 'string', enum: SCALE_TYPES },
      'aspect-ratio': num,
      'alt-text': { kind: 'string' },
    },
  },
  ImageCarousel: {
    since: V7_1,
    required: ['images'],
    props: {
      'images': { kind: 'array' },
      'aspect-ratio': { kind: 'string', enum: ['4:3', '16:9'] },
      'scale-type': { kind: 'string', enum: SCALE_TYPES },
    },
  },
  NavigationList: {
    since: V6_2,
    required: ['name', 'list-items'],
    events: { 'on-click-action': ['navigate', 'data_exchange'] },
    props: {
      'name': nameProp,
      'list-items': { kind: 'array' },
      'label': str(80),
      'description': str(300),
      'media-size': { kind: 'string', enum: MEDIA_SIZES },
      'on-click-action': action,
    },
  },
  If: {
    since: V4_0,
    required: ['condition', 'then'],
    props: {
      condition: { kind: 'string' },
      then: { kind: 'components', staticOnly: true },
      else: { kind: 'components', staticOnly: true },
    },
  },
  Switch: {
    since: V4_0,
    required: ['value', 'cases'],
    props: {
      value: { kind: 'string' },
      cases: { kind: 'object', staticOnly: true },
    },
  },
  Form: {
    required: ['name', 'children'],
    props: {
      'name': nameProp,
      'children': { kind: 'components', staticOnly: true },
      'init-values': { kind: 'object' },
      'error-messages': { kind: 'object' },
    },
  },
};

/** Every component accepts `visible` (rules §4 preamble). */
export const COMMON_PROPS: Readonly<Record<string, PropSpec>> = { visible: bool };

const ALL_PROPS = new Map<ComponentSpec, Readonly<Record<string, PropSpec>>>();

/** A component's properties and the common ones, as one (shared) record. */
export function propsOf(spec: ComponentSpec): Readonly<Record<string, PropSpec>> {
  let props = ALL_PROPS.get(spec);
  if (!props) ALL_PROPS.set(spec, (props = { ...spec.props, ...COMMON_PROPS }));
  return props;
}

/** Properties of a static `data-source` option (rules §4.2). */
export const OPTION_PROPS: Readonly<Record<string, PropSpec>> = {
  'id': { kind: 'string' },
  'title': str(30),
  'description': str(300),
  'metadata': str(20),
  'enabled': bool,
  'image': { kind: 'string', since: V5_0 },
  'alt-text': { kind: 'string', since: V5_0 },
  'color': { kind: 'string', since: V5_0 },
  'on-select-action': { kind: 'action', since: V6_0 },
  'on-unselect-action': { kind: 'action', since: V6_0 },
};
export const OPTION_EVENTS: Readonly<Record<string, readonly string[]>> = {
  'on-select-action': ['update_data'],
  'on-unselect-action': ['update_data'],
};

/** Properties of a NavigationList item (rules §4.3). */
export const NAV_ITEM_PROPS: Readonly<Record<string, PropSpec>> = {
  'id': { kind: 'string' },
  'main-content': { kind: 'object' },
  'start': { kind: 'object' },
  'end': { kind: 'object' },
  'badge': str(15),
  'tags': { kind: 'array' },
  'on-click-action': action,
};
export const NAV_MAIN_CONTENT_PROPS: Readonly<Record<string, PropSpec>> = { title: str(30), description: str(20), metadata: str(80) };
export const NAV_END_PROPS: Readonly<Record<string, PropSpec>> = { title: str(10), description: str(10), metadata: str(10) };
export const NAV_START_PROPS: Readonly<Record<string, PropSpec>> = { 'image': { kind: 'string' }, 'alt-text': { kind: 'string' } };
export const CAROUSEL_IMAGE_PROPS: Readonly<Record<string, PropSpec>> = { 'src': { kind: 'string' }, 'alt-text': { kind: 'string' } };

/** Components an `If` branch may hold (rules §4.3). */
export const IF_BRANCH_COMPONENTS: ReadonlySet<string> = new Set([
  'TextHeading', 'TextSubheading', 'TextBody', 'TextCaption', 'CheckboxGroup', 'DatePicker', 'Dropdown', 'EmbeddedLink',
  'Footer', 'Image', 'OptIn', 'RadioButtonsGroup', 'Switch', 'TextArea', 'TextInput', 'If',
]);
/** Components a `Switch` case may hold: the If list minus If/Switch, plus ChipsSelector from 7.1. */
export const SWITCH_CASE_COMPONENTS: ReadonlySet<string> = new Set([...IF_BRANCH_COMPONENTS].filter((t) => t !== 'If' && t !== 'Switch'));
/**
 * Components introduced after the If/Switch branch lists were written, which the rules neither allow
 * nor forbid in a branch: a warning, not an error.
 */
export const BRANCH_UNCONFIRMED: ReadonlySet<string> = new Set(['CalendarPicker', 'ChipsSelector', 'ImageCarousel']);
export const CHIPS_IN_SWITCH_SINCE = V7_1;

/** Actions and the version that introduced each (rules §6). */
export const ACTIONS: Readonly<Record<string, { since?: Version; keys: readonly string[] }>> = {
  navigate: { keys: ['name', 'next', 'payload'] },
  complete: { keys: ['name', 'payload'] },
  data_exchange: { keys: ['name', 'payload'] },
  update_data: { since: V6_0, keys: ['name', 'payload'] },
  open_url: { since: V6_0, keys: ['name', 'url'] },
};

/** Structural components: they hold other components and are not counted as screen content. */
export const CONTAINERS: ReadonlySet<string> = new Set(['Form', 'If', 'Switch']);

/** Top-level keys of a document (rule D3). */
export const TOP_LEVEL_KEYS: readonly string[] = ['version', 'screens', 'routing_model', 'data_api_version', 'data_channel_uri'];
/** Keys of a screen (rules §2). */
export const SCREEN_KEYS: readonly string[] = ['id', 'layout', 'terminal', 'success', 'title', 'data', 'refresh_on_back', 'sensitive'];
/** Keys of a layout, and its only type (rule S5). */
export const LAYOUT_KEYS: readonly string[] = ['type', 'children'];
export const LAYOUT_TYPES: readonly string[] = ['SingleColumnLayout'];
/** Keys of a navigate's `next`, and its only type (rules §6). */
export const NEXT_KEYS: readonly string[] = ['type', 'name'];
export const NEXT_TYPES: readonly string[] = ['screen'];
/** CalendarPicker `include-days` (rules §4.2). */
export const DAYS: readonly string[] = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const PROPERTY_RECORDS: ReadonlyArray<Readonly<Record<string, PropSpec>>> = [
  ...Object.values(COMPONENTS).map((c) => c.props), COMMON_PROPS, OPTION_PROPS, NAV_ITEM_PROPS, NAV_MAIN_CONTENT_PROPS, NAV_END_PROPS,
  NAV_START_PROPS, CAROUSEL_IMAGE_PROPS,
];

/**
 * Every key that is valid somewhere in a document, in some version: a key from this set is never a
 * misspelling, even where it does not belong (that is another finding).
 */
export const ALL_KEYS: ReadonlySet<string> = new Set([
  ...PROPERTY_RECORDS.flatMap((r) => Object.keys(r)),
  ...Object.values(ACTIONS).flatMap((a) => a.keys),
  ...NEXT_KEYS, ...TOP_LEVEL_KEYS, ...SCREEN_KEYS, ...LAYOUT_KEYS,
]);

/** Every value of every enum of the catalogue (component properties, days, next.type, layout type). */
export const ALL_ENUM_VALUES: ReadonlySet<string> = new Set([
  ...PROPERTY_RECORDS.flatMap((r) => Object.values(r).flatMap((p) => p.enum ?? [])),
  ...DAYS, ...NEXT_TYPES, ...LAYOUT_TYPES,
]);
