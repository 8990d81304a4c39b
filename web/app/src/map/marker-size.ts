/** Size of a site marker, CSS px: the icons are drawn at it and overlap spacing is computed from it. */
export const MARKER_SIZE = 24;
