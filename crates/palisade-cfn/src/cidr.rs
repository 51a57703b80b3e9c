//! `Fn::Cidr`: consecutive subnets of `cidrBits` host bits carved from a block.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The first `count` subnets with `bits` host bits (so a prefix of
/// `width - bits`) of `block`, in order.
pub(crate) fn subnets(block: &str, count: u64, bits: u32) -> Result<Vec<String>, String> {
    let (addr, prefix) = block
        .split_once('/')
        .ok_or_else(|| format!("`{block}` is not a CIDR block"))?;
    let prefix: u32 = prefix
        .trim()
        .parse()
        .map_err(|_| format!("`{block}` has no valid prefix length"))?;
    if count == 0 {
        return Err("count must be at least 1".into());
    }
    if let Ok(v4) = addr.trim().parse::<Ipv4Addr>() {
        let width = 32;
        check(prefix, bits, width, count)?;
        let base = u128::from(u32::from(v4));
        let list = carve(base, prefix, bits, width, count)?;
        return Ok(list
            .into_iter()
            .map(|a| {
                let a = u32::try_from(a).unwrap_or(0);
                format!("{}/{}", Ipv4Addr::from(a), width - bits)
            })
            .collect());
    }
    if let Ok(v6) = addr.trim().parse::<Ipv6Addr>() {
        let width = 128;
        check(prefix, bits, width, count)?;
        let list = carve(u128::from(v6), prefix, bits, width, count)?;
        return Ok(list
            .into_iter()
            .map(|a| format!("{}/{}", Ipv6Addr::from(a), width - bits))
            .collect());
    }
    Err(format!("`{block}` is not a CIDR block"))
}

fn check(prefix: u32, bits: u32, width: u32, _count: u64) -> Result<(), String> {
    if prefix > width {
        return Err(format!("prefix length {prefix} is over {width}"));
    }
    if bits == 0 || bits > width - prefix {
        return Err(format!("cidrBits {bits} does not fit in a /{prefix} block"));
    }
    Ok(())
}

fn carve(base: u128, prefix: u32, bits: u32, width: u32, count: u64) -> Result<Vec<u128>, String> {
    let host_mask = if width - prefix >= 128 {
        u128::MAX
    } else {
        (1u128 << (width - prefix)) - 1
    };
    let network = base & !host_mask;
    let available = width - prefix - bits;
    if available < 64 && u128::from(count) > (1u128 << available) {
        return Err(format!(
            "a /{prefix} block holds only {} subnets of {bits} host bits",
            1u128 << available
        ));
    }
    let step = 1u128 << bits;
    Ok((0..u128::from(count))
        .map(|i| network.wrapping_add(i.wrapping_mul(step)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4() {
        assert_eq!(
            subnets("10.0.0.0/16", 3, 8),
            Ok(vec![
                "10.0.0.0/24".to_owned(),
                "10.0.1.0/24".to_owned(),
                "10.0.2.0/24".to_owned()
            ])
        );
        assert_eq!(
            subnets("192.168.0.0/24", 2, 6),
            Ok(vec![
                "192.168.0.0/26".to_owned(),
                "192.168.0.64/26".to_owned()
            ])
        );
        assert!(subnets("10.0.0.0/24", 5, 7).is_err());
        assert!(subnets("10.0.0.0/24", 1, 9).is_err());
        assert!(subnets("nope", 1, 8).is_err());
    }

    #[test]
    fn ipv6() {
        assert_eq!(
            subnets("2001:db8::/56", 2, 64),
            Ok(vec![
                "2001:db8::/64".to_owned(),
                "2001:db8:0:1::/64".to_owned()
            ])
        );
    }
}
