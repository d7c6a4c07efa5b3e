/** A run-table column: its header and how to read a row; `wide` columns drop out on narrow screens. */
export interface Column<T> {
  label: string;
  value: (r: T) => string;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Hidden below 640 px wide, so the table fits a phone. */
  wide?: boolean;
  title?: (r: T) => string;
}
