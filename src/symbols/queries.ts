/**
 * Our tree-sitter queries, per language: which nodes define a symbol (captured by its kind, with
 * the name as @name) and which nodes are identifiers that may refer to one. Comments and string
 * literals are nodes of their own, so a reference query never sees a word inside them. Each
 * pattern is kept separate so a test can show that every one compiles against its grammar.
 */
import type { LanguageId } from "./languages.ts";

/** Kinds a definition capture may carry (the capture's name). */
export const DEFINITION_KINDS = [
  "class",
  "struct",
  "interface",
  "enum",
  "trait",
  "impl",
  "module",
  "function",
  "method",
  "constant",
  "type",
  "macro",
] as const;
export type SymbolKind = (typeof DEFINITION_KINDS)[number];

const JS_COMMON = [
  "(function_declaration name: (_) @name) @function",
  "(generator_function_declaration name: (_) @name) @function",
  "(function_expression name: (_) @name) @function",
  "(class_declaration name: (_) @name) @class",
  "(class name: (_) @name) @class",
  "(method_definition name: (_) @name) @method",
  "(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (generator_function)]) @function",
  "(assignment_expression left: (member_expression property: (property_identifier) @name) right: [(arrow_function) (function_expression)]) @function",
  "(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)]) @method",
  "(program (lexical_declaration (variable_declarator name: (identifier) @name) @constant))",
  "(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name) @constant)))",
];

const TS_EXTRA = [
  "(abstract_class_declaration name: (_) @name) @class",
  "(interface_declaration name: (_) @name) @interface",
  "(type_alias_declaration name: (_) @name) @type",
  "(enum_declaration name: (_) @name) @enum",
  "(function_signature name: (_) @name) @function",
  "(method_signature name: (_) @name) @method",
  "(abstract_method_signature name: (_) @name) @method",
  "(internal_module name: (_) @name) @module",
  "(public_field_definition name: (_) @name value: [(arrow_function) (function_expression)]) @method",
];

const C_COMMON = [
  "(function_definition declarator: (_) @name) @function",
  "(struct_specifier name: (_) @name body: (_)) @struct",
  "(union_specifier name: (_) @name body: (_)) @struct",
  "(enum_specifier name: (_) @name body: (_)) @enum",
  "(type_definition declarator: (type_identifier) @name) @type",
  "(preproc_def name: (_) @name) @macro",
  "(preproc_function_def name: (_) @name) @macro",
];

export const DEFINITION_PATTERNS: Readonly<Record<LanguageId, readonly string[]>> = {
  python: [
    "(class_definition name: (identifier) @name) @class",
    "(function_definition name: (identifier) @name) @function",
    "(module (expression_statement (assignment left: (identifier) @name)) @constant)",
  ],
  javascript: [
    ...JS_COMMON,
    "(field_definition property: (_) @name value: [(arrow_function) (function_expression)]) @method",
  ],
  typescript: [...JS_COMMON, ...TS_EXTRA],
  tsx: [...JS_COMMON, ...TS_EXTRA],
  go: [
    "(function_declaration name: (identifier) @name) @function",
    "(method_declaration name: (field_identifier) @name) @method",
    "(type_spec name: (type_identifier) @name type: (struct_type)) @struct",
    "(type_spec name: (type_identifier) @name type: (interface_type)) @interface",
    "(type_spec name: (type_identifier) @name) @type",
    "(type_alias name: (type_identifier) @name) @type",
    "(method_elem name: (field_identifier) @name) @method",
    "(source_file (const_declaration (const_spec name: (identifier) @name) @constant))",
  ],
  rust: [
    "(function_item name: (identifier) @name) @function",
    "(function_signature_item name: (identifier) @name) @function",
    "(struct_item name: (type_identifier) @name) @struct",
    "(union_item name: (type_identifier) @name) @struct",
    "(enum_item name: (type_identifier) @name) @enum",
    "(trait_item name: (type_identifier) @name) @trait",
    "(impl_item type: (_) @name) @impl",
    "(mod_item name: (identifier) @name) @module",
    "(type_item name: (type_identifier) @name) @type",
    "(const_item name: (identifier) @name) @constant",
    "(static_item name: (identifier) @name) @constant",
    "(macro_definition name: (identifier) @name) @macro",
  ],
  java: [
    "(class_declaration name: (identifier) @name) @class",
    "(record_declaration name: (identifier) @name) @class",
    "(interface_declaration name: (identifier) @name) @interface",
    "(annotation_type_declaration name: (identifier) @name) @interface",
    "(enum_declaration name: (identifier) @name) @enum",
    "(method_declaration name: (identifier) @name) @method",
    "(constructor_declaration name: (identifier) @name) @method",
    "(annotation_type_element_declaration name: (identifier) @name) @method",
    '(field_declaration (modifiers "static" "final") declarator: (variable_declarator name: (identifier) @name)) @constant',
  ],
  c: C_COMMON,
  cpp: [
    ...C_COMMON,
    "(class_specifier name: (_) @name body: (_)) @class",
    "(namespace_definition name: (_) @name) @module",
  ],
  csharp: [
    "(class_declaration name: (identifier) @name) @class",
    "(record_declaration name: (identifier) @name) @class",
    "(struct_declaration name: (identifier) @name) @struct",
    "(interface_declaration name: (identifier) @name) @interface",
    "(enum_declaration name: (identifier) @name) @enum",
    "(method_declaration name: (identifier) @name) @method",
    "(constructor_declaration name: (identifier) @name) @method",
    "(local_function_statement name: (identifier) @name) @function",
    "(operator_declaration operator: _ @name) @method",
    "(delegate_declaration name: (identifier) @name) @type",
    "(namespace_declaration name: (_) @name) @module",
    "(file_scoped_namespace_declaration name: (_) @name) @module",
  ],
  ruby: [
    "(class name: (_) @name) @class",
    "(module name: (_) @name) @module",
    "(method name: (_) @name) @function",
    "(singleton_method name: (_) @name) @method",
    "(program (assignment left: (constant) @name) @constant)",
  ],
  php: [
    "(class_declaration name: (name) @name) @class",
    "(interface_declaration name: (name) @name) @interface",
    "(trait_declaration name: (name) @name) @trait",
    "(enum_declaration name: (name) @name) @enum",
    "(function_definition name: (name) @name) @function",
    "(method_declaration name: (name) @name) @method",
    "(namespace_definition name: (namespace_name) @name) @module",
    "(const_declaration (const_element (name) @name) @constant)",
  ],
  bash: [
    "(function_definition name: (word) @name) @function",
  ],
};

/** Node types that are identifiers (a name as written in code, never in a comment or string). */
export const IDENTIFIER_TYPES: Readonly<Record<LanguageId, readonly string[]>> = {
  python: ["identifier"],
  javascript: [
    "identifier",
    "property_identifier",
    "shorthand_property_identifier",
    "shorthand_property_identifier_pattern",
    "private_property_identifier",
  ],
  typescript: [
    "identifier",
    "property_identifier",
    "shorthand_property_identifier",
    "shorthand_property_identifier_pattern",
    "private_property_identifier",
    "type_identifier",
  ],
  tsx: [
    "identifier",
    "property_identifier",
    "shorthand_property_identifier",
    "shorthand_property_identifier_pattern",
    "private_property_identifier",
    "type_identifier",
  ],
  go: ["identifier", "field_identifier", "type_identifier", "package_identifier"],
  rust: ["identifier", "field_identifier", "type_identifier"],
  java: ["identifier", "type_identifier"],
  c: ["identifier", "field_identifier", "type_identifier"],
  cpp: ["identifier", "field_identifier", "type_identifier", "namespace_identifier"],
  csharp: ["identifier"],
  ruby: ["identifier", "constant"],
  php: ["name"],
  bash: ["word", "variable_name"],
};

/** Node types that open a branch, for cyclomatic complexity (1 + branches of a function). */
export const BRANCH_TYPES: ReadonlySet<string> = new Set([
  // if / else-if (the else alone adds no path)
  "if_statement",
  "if_expression",
  "elif_clause",
  "else_if_clause",
  "if",
  "elsif",
  "unless",
  "if_modifier",
  "unless_modifier",
  "if_let_expression",
  // loops
  "for_statement",
  "for_in_statement",
  "for_of_statement",
  "enhanced_for_statement",
  "for_expression",
  "for_range_loop",
  "foreach_statement",
  "while_statement",
  "while_expression",
  "do_statement",
  "loop_expression",
  "while",
  "until",
  "for",
  "while_modifier",
  "until_modifier",
  // cases and handlers
  "case_clause",
  "switch_case",
  "switch_label",
  "case_statement",
  "expression_case",
  "type_case",
  "communication_case",
  "match_arm",
  "switch_expression_arm",
  "when",
  "catch_clause",
  "except_clause",
  "rescue",
  "case_item",
  // conditional expressions
  "conditional_expression",
  "ternary_expression",
  "conditional",
]);

/** Boolean operators that add a path (a && b, a or b). */
export const BRANCH_OPERATORS: ReadonlySet<string> = new Set(["&&", "||", "and", "or", "??"]);
