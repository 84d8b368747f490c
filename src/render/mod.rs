//! Output adapters: what turns the services' figures into documents (the measure's charts
//! as SVG and PNG, the datasets as CSV). Not domain rules: nothing here decides what a figure is.

pub mod charts;
pub mod csv;
pub mod subject_access;
