//! Embeds the page templates in the binary: no files are read at run time
//! (many property companies run tousu on an intranet, with nothing beside it).
fn main() {
    minijinja_embed::embed_templates!("templates");
}
