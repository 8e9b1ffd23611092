/** A rendered object, config file or API answer read loosely, field by field. */
export type Json = Record<string, any>;
