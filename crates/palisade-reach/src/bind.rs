//! Identifiers assigned when resources are created (`sg-0123...`, ARNs)
//! appear in Kubernetes manifests (a SecurityGroupPolicy's `groupIds`) but
//! not in Terraform sources. Bindings say which resource of the model such
//! an identifier names, and what a data source stands for (a managed prefix
//! list's name). They come from a JSON object (`{"sg-0123": "aws_security_group.app"}`),
//! a Terraform state file, or `terraform show -json` output.

use serde_json::Value as Json;

/// `(identifier, what it names)` pairs.
pub type Bindings = Vec<(String, String)>;

/// Reads bindings from JSON text in any of the supported shapes.
pub fn parse(text: &str) -> Result<Bindings, String> {
    let v: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut out = Vec::new();
    if let Some(resources) = v.get("resources").and_then(Json::as_array) {
        // Terraform state (format version 4).
        for r in resources {
            let mode = r.get("mode").and_then(Json::as_str).unwrap_or("managed");
            let (Some(ty), Some(name)) = (
                r.get("type").and_then(Json::as_str),
                r.get("name").and_then(Json::as_str),
            ) else {
                continue;
            };
            let module = r.get("module").and_then(Json::as_str);
            let base = match (module, mode) {
                (Some(m), "data") => format!("{m}.data.{ty}.{name}"),
                (Some(m), _) => format!("{m}.{ty}.{name}"),
                (None, "data") => format!("data.{ty}.{name}"),
                (None, _) => format!("{ty}.{name}"),
            };
            for inst in r
                .get("instances")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let address = match inst.get("index_key") {
                    Some(Json::String(k)) => format!("{base}[\"{k}\"]"),
                    Some(Json::Number(n)) => format!("{base}[{n}]"),
                    _ => base.clone(),
                };
                if let Some(attrs) = inst.get("attributes") {
                    add_values(&mut out, &address, ty, attrs);
                }
            }
        }
        return Ok(out);
    }
    if let Some(root) = v.get("values").and_then(|x| x.get("root_module")) {
        // `terraform show -json`.
        walk_module(&mut out, root);
        return Ok(out);
    }
    match v {
        Json::Object(map) => {
            for (k, val) in map {
                match val {
                    Json::String(t) => out.push((k, t)),
                    other => return Err(format!("`{k}`: expected a string, found {other}")),
                }
            }
            Ok(out)
        }
        _ => Err("expected an object of identifier → address, a Terraform state or `terraform show -json` output".into()),
    }
}

fn walk_module(out: &mut Bindings, m: &Json) {
    for r in m
        .get("resources")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(address), Some(ty)) = (
            r.get("address").and_then(Json::as_str),
            r.get("type").and_then(Json::as_str),
        ) else {
            continue;
        };
        if let Some(values) = r.get("values") {
            add_values(out, address, ty, values);
        }
    }
    for c in m
        .get("child_modules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        walk_module(out, c);
    }
}

fn add_values(out: &mut Bindings, address: &str, ty: &str, attrs: &Json) {
    let s = |k: &str| {
        attrs
            .get(k)
            .and_then(Json::as_str)
            .filter(|x| !x.is_empty())
    };
    if ty == "aws_ec2_managed_prefix_list" {
        if let Some(n) = s("name") {
            out.push((address.to_string(), n.to_string()));
            if let Some(id) = s("id") {
                out.push((id.to_string(), n.to_string()));
            }
        }
        return;
    }
    for k in ["id", "arn"] {
        if let Some(v) = s(k) {
            out.push((v.to_string(), address.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_shapes() {
        let plain = parse(r#"{"sg-1": "aws_security_group.a"}"#).unwrap_or_default();
        assert_eq!(
            plain,
            vec![("sg-1".to_string(), "aws_security_group.a".to_string())]
        );
        let state = parse(
            r#"{"version":4,"resources":[
                {"mode":"managed","type":"aws_security_group","name":"a","instances":[{"attributes":{"id":"sg-1","arn":"arn:x"}}]},
                {"mode":"managed","type":"aws_subnet","name":"s","instances":[{"index_key":"a","attributes":{"id":"subnet-1"}}]},
                {"mode":"data","type":"aws_ec2_managed_prefix_list","name":"cf","instances":[{"attributes":{"id":"pl-1","name":"com.amazonaws.global.cloudfront.origin-facing"}}]}
            ]}"#,
        )
        .unwrap_or_default();
        assert!(state.contains(&("sg-1".into(), "aws_security_group.a".into())));
        assert!(state.contains(&("subnet-1".into(), "aws_subnet.s[\"a\"]".into())));
        assert!(state.contains(&(
            "data.aws_ec2_managed_prefix_list.cf".into(),
            "com.amazonaws.global.cloudfront.origin-facing".into()
        )));
        let show = parse(
            r#"{"values":{"root_module":{"resources":[{"address":"aws_security_group.a","type":"aws_security_group","values":{"id":"sg-9"}}],
               "child_modules":[{"resources":[{"address":"module.m.aws_subnet.b","type":"aws_subnet","values":{"id":"subnet-9"}}]}]}}}"#,
        )
        .unwrap_or_default();
        assert!(show.contains(&("sg-9".into(), "aws_security_group.a".into())));
        assert!(show.contains(&("subnet-9".into(), "module.m.aws_subnet.b".into())));
        assert!(parse("[1]").is_err());
    }
}
