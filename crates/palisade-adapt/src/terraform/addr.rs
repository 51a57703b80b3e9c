//! Terraform resource addresses (`module.a["k.1"].data.aws_iam_policy_document.p[0]`).

/// Splits an address on the dots that separate its parts, keeping instance
/// keys (`[0]`, `["a.b"]`) with the part they follow.
pub(crate) fn segments(address: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut in_str = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in address.char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                out.push(address.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(address.get(start..).unwrap_or(""));
    out
}

/// The resource type of an address and whether it names a data source.
pub(crate) fn resource_type(address: &str) -> Option<(&str, bool)> {
    let segs = segments(address);
    let mut i = 0;
    while segs.get(i) == Some(&"module") {
        i += 2;
    }
    let mut data = false;
    if segs.get(i) == Some(&"data") {
        data = true;
        i += 1;
    }
    let t = *segs.get(i)?;
    // A type is followed by a name.
    segs.get(i + 1)?;
    let t = t.split('[').next().unwrap_or(t);
    (!t.is_empty()).then_some((t, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types() {
        assert_eq!(resource_type("aws_vpc.main"), Some(("aws_vpc", false)));
        assert_eq!(
            resource_type("module.net[\"a.b\"].module.x.aws_subnet.p[0]"),
            Some(("aws_subnet", false))
        );
        assert_eq!(
            resource_type("data.aws_iam_policy_document.d"),
            Some(("aws_iam_policy_document", true))
        );
        assert_eq!(resource_type("var.x"), Some(("var", false)));
        assert_eq!(resource_type("aws_vpc"), None);
        assert_eq!(resource_type(""), None);
    }
}
