//! Device service (`tds`), one module per subject: the clock, identity and service
//! addresses, network identity, scopes and users. Every operation is a value implementing
//! [`Operation`](crate::onvif::operation::Operation); they are re-exported here, so callers
//! write `device::SetHostname { .. }`.
//!
//! Builders that take free-form values the schema constrains (addresses, lists that must not
//! be empty) refuse with [`crate::onvif::RequestError`] instead of sending a request the
//! device would reject, or, worse, accept and become unreachable.

mod clock;
mod network;
mod scopes;
mod services;
mod users;

pub use clock::*;
pub use network::*;
pub use scopes::*;
pub use services::*;
pub use users::*;

use super::operation::operations;

/// The service's name in the operation table.
pub const SERVICE: &str = "device";

operations! { SERVICE;
    /// SystemReboot: answers the device's message (`Rebooting in 30 seconds`), empty when it sent
    /// none.
    SystemReboot -> String => |r| {
        Ok(r.string_or_empty("Message"))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dns, Hostname, Ipv4Config, Ntp, Scope, User};
    use crate::onvif::ParseError;
    use crate::onvif::operation::Operation;
    use crate::onvif::{RequestError, ns, ops};
    use crate::soap::xml;
    use crate::soap::xml::{Element, escape};
    use chrono::{DateTime, Utc};

    const DECL: &str = r#"xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;

    fn el(body: &str) -> Element {
        xml::parse(body.replace("DECL", DECL).as_bytes()).expect("test XML parses")
    }

    // Field paths are built at run time; leaking them keeps the assertions short.
    fn missing(e: ParseError) -> &'static str {
        match e {
            ParseError::Missing { field, .. } => field.leak(),
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    fn invalid(e: ParseError) -> (&'static str, String) {
        match e {
            ParseError::Invalid { field, value, .. } => (field.leak(), value),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    // The builders' former signatures, so each case reads as the request it makes.
    fn set_system_date_and_time_request(
        date_time_type: DateTimeType,
        daylight_savings: bool,
        tz: Option<&str>,
        utc: Option<DateTime<Utc>>,
    ) -> Result<String, RequestError> {
        let tz = tz.map(str::to_owned);
        SetSystemDateAndTime {
            date_time_type,
            daylight_savings,
            tz,
            utc,
        }
        .to_xml()
    }

    fn set_network_interfaces_request(
        token: &str,
        v4: &Ipv4Config,
    ) -> Result<String, RequestError> {
        SetNetworkInterfaces {
            token: token.into(),
            ipv4: v4.clone(),
        }
        .to_xml()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn user(username: &str, password: Option<&str>, level: UserLevel) -> SetUser {
        let (username, password) = (username.to_owned(), password.map(str::to_owned));
        SetUser {
            username,
            password,
            level,
        }
    }

    fn create_users_request(
        name: &str,
        password: &str,
        level: UserLevel,
    ) -> Result<String, RequestError> {
        let (username, password) = (name.to_owned(), password.to_owned());
        CreateUsers {
            username,
            password,
            level,
        }
        .to_xml()
    }

    const SDT: &str = r#"<tds:GetSystemDateAndTimeResponse DECL><tds:SystemDateAndTime>
        <tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>true</tt:DaylightSavings>
        <tt:TimeZone><tt:TZ>CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00</tt:TZ></tt:TimeZone>
        <tt:UTCDateTime><tt:Time><tt:Hour>18</tt:Hour><tt:Minute>28</tt:Minute><tt:Second>1</tt:Second></tt:Time>
        <tt:Date><tt:Year>2018</tt:Year><tt:Month>2</tt:Month><tt:Day>27</tt:Day></tt:Date></tt:UTCDateTime>
        <tt:LocalDateTime><tt:Time><tt:Hour>11</tt:Hour><tt:Minute>28</tt:Minute><tt:Second>1</tt:Second></tt:Time>
        <tt:Date><tt:Year>2018</tt:Year><tt:Month>2</tt:Month><tt:Day>27</tt:Day></tt:Date></tt:LocalDateTime>
        </tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"#;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn system_date_time_reads_utc_local_and_keeps_tz_verbatim() {
        let t = GetSystemDateAndTime.parse(&el(SDT)).unwrap();
        assert_eq!(t.utc, Some(utc("2018-02-27T18:28:01Z")));
        assert_eq!(
            t.local.unwrap().to_string(),
            "2018-02-27 11:28:01",
            "local time is kept in the device's zone"
        );
        assert_eq!(
            t.tz.as_deref(),
            Some("CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00")
        );
        assert_eq!(t.date_time_type, Some(DateTimeType::Ntp));
        assert_eq!(t.daylight_savings, Some(true));
    }

    #[test]
    fn clock_offset_is_device_minus_ours_from_utc() {
        let t = GetSystemDateAndTime.parse(&el(SDT)).unwrap();
        let ours = utc("2018-02-27T18:30:01Z");
        assert_eq!(
            clock_offset(&t, ours),
            Some(chrono::Duration::seconds(-120))
        );
        assert_eq!(t.device_time().unwrap().1, ClockSource::Utc);
    }

    #[test]
    fn local_time_is_used_only_when_utc_is_missing_and_says_so() {
        let doc = SDT.replace("UTCDateTime", "Ignored");
        let t = GetSystemDateAndTime.parse(&el(&doc)).unwrap();
        assert_eq!(t.utc, None);
        let (at, source) = t.device_time().unwrap();
        assert_eq!(source, ClockSource::LocalAsUtc);
        assert_eq!(at, utc("2018-02-27T11:28:01Z"));
        assert_eq!(
            clock_offset(&t, utc("2018-02-27T11:28:00Z")),
            Some(chrono::Duration::seconds(1))
        );
        let neither = GetSystemDateAndTime
            .parse(&el(
                "<tds:GetSystemDateAndTimeResponse DECL><tds:SystemDateAndTime>\
             <tt:DateTimeType>Manual</tt:DateTimeType></tds:SystemDateAndTime>\
             </tds:GetSystemDateAndTimeResponse>",
            ))
            .unwrap();
        assert_eq!(clock_offset(&neither, Utc::now()), None);
    }

    #[test]
    fn system_date_time_hostile_values_are_errors_naming_the_field() {
        let garbage_hour = SDT.replacen("<tt:Hour>18</tt:Hour>", "<tt:Hour>1x</tt:Hour>", 1);
        let e = GetSystemDateAndTime.parse(&el(&garbage_hour)).unwrap_err();
        assert_eq!(
            invalid(e),
            ("SystemDateAndTime/UTCDateTime/Time/Hour", "1x".to_owned())
        );

        let month13 = SDT.replacen("<tt:Month>2</tt:Month>", "<tt:Month>13</tt:Month>", 1);
        let e = GetSystemDateAndTime.parse(&el(&month13)).unwrap_err();
        assert_eq!(
            invalid(e),
            (
                "SystemDateAndTime/UTCDateTime/Date",
                "2018-13-27".to_owned()
            )
        );

        let hour25 = SDT.replacen("<tt:Hour>11</tt:Hour>", "<tt:Hour>25</tt:Hour>", 1);
        let e = GetSystemDateAndTime.parse(&el(&hour25)).unwrap_err();
        assert_eq!(invalid(e).0, "SystemDateAndTime/LocalDateTime/Time");

        let huge_year = SDT.replacen("2018", "99999999999999999999", 1);
        let e = GetSystemDateAndTime.parse(&el(&huge_year)).unwrap_err();
        assert_eq!(invalid(e).0, "SystemDateAndTime/UTCDateTime/Date/Year");

        let no_day = SDT.replacen("<tt:Day>27</tt:Day>", "", 1);
        let e = GetSystemDateAndTime.parse(&el(&no_day)).unwrap_err();
        assert_eq!(missing(e), "SystemDateAndTime/UTCDateTime/Date/Day");

        let bad_type = SDT.replace(">NTP<", ">Sundial<");
        let e = GetSystemDateAndTime.parse(&el(&bad_type)).unwrap_err();
        assert_eq!(invalid(e).0, "SystemDateAndTime/DateTimeType");

        let e = GetSystemDateAndTime
            .parse(&el("<tds:GetSystemDateAndTimeResponse DECL/>"))
            .unwrap_err();
        assert_eq!(missing(e), "SystemDateAndTime");

        let e = GetSystemDateAndTime
            .parse(&el("<tds:GetDeviceInformationResponse DECL/>"))
            .unwrap_err();
        assert!(matches!(e, ParseError::WrongElement { .. }), "{e:?}");
    }

    #[test]
    fn long_garbage_is_truncated_in_errors() {
        let long = "9".repeat(500);
        let doc = SDT.replacen(
            "<tt:Minute>28</tt:Minute>",
            &format!("<tt:Minute>{long}</tt:Minute>"),
            1,
        );
        let (_, value) = invalid(GetSystemDateAndTime.parse(&el(&doc)).unwrap_err());
        assert_eq!(value.len(), 80);
    }

    #[test]
    fn set_system_date_and_time_writes_time_before_date_and_needs_utc_when_manual() {
        let at = utc("2024-01-02T03:04:05Z");
        let x =
            set_system_date_and_time_request(DateTimeType::Manual, false, Some("CST-8"), Some(at))
                .unwrap();
        assert!(x.contains("<tds:DateTimeType>Manual</tds:DateTimeType>"));
        assert!(x.contains("<tds:TimeZone><tt:TZ>CST-8</tt:TZ></tds:TimeZone>"));
        let time = x.find("<tt:Time>").unwrap();
        let date = x.find("<tt:Date>").unwrap();
        assert!(time < date, "tt:DateTime is a sequence Time, Date: {x}");
        assert!(x.contains("<tt:Year>2024</tt:Year><tt:Month>1</tt:Month><tt:Day>2</tt:Day>"));

        let ntp =
            set_system_date_and_time_request(DateTimeType::Ntp, true, None, Some(at)).unwrap();
        assert!(
            !ntp.contains("UTCDateTime") && !ntp.contains("TimeZone"),
            "{ntp}"
        );

        let e =
            set_system_date_and_time_request(DateTimeType::Manual, false, None, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "device.SetSystemDateAndTime: cannot build the request without UTCDateTime"
        );
    }

    #[test]
    fn device_information_keeps_values_and_empties_become_none() {
        let i = GetDeviceInformation.parse(&el(
            "<tds:GetDeviceInformationResponse DECL><tds:Manufacturer></tds:Manufacturer>\
             <tds:Model> IPD-H4K8M05-BS </tds:Model><tds:FirmwareVersion>V1.04.10-190309</tds:FirmwareVersion>\
             <tds:SerialNumber>071D3E36963F</tds:SerialNumber><tds:HardwareId>1.0</tds:HardwareId>\
             </tds:GetDeviceInformationResponse>",
        ))
        .unwrap();
        assert_eq!(i.manufacturer, None);
        assert_eq!(i.model.as_deref(), Some("IPD-H4K8M05-BS"));
        assert_eq!(i.firmware_version.as_deref(), Some("V1.04.10-190309"));
        assert_eq!(i.serial_number.as_deref(), Some("071D3E36963F"));
        assert_eq!(i.hardware_id.as_deref(), Some("1.0"));

        let no_hwid = GetDeviceInformation
            .parse(&el(
                "<tds:GetDeviceInformationResponse DECL><tds:Manufacturer>X</tds:Manufacturer>\
             <tds:Model>Y</tds:Model></tds:GetDeviceInformationResponse>",
            ))
            .unwrap();
        assert_eq!(no_hwid.hardware_id, None);

        let e = GetDeviceInformation.parse(&el(
            "<tds:GetDeviceInformationResponse DECL><tds:Model>Y</tds:Model></tds:GetDeviceInformationResponse>",
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "device.GetDeviceInformation: missing required field Manufacturer"
        );
    }

    #[test]
    fn services_read_integer_versions_and_require_namespace_and_xaddr() {
        let doc = "<tds:GetServicesResponse DECL>\
            <tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>\
            <tds:XAddr> http://192.168.1.64/onvif/device_service </tds:XAddr>\
            <tds:Capabilities><tad:Capabilities RuleSupport=\"true\"/></tds:Capabilities>\
            <tds:Version><tt:Major>20</tt:Major><tt:Minor>06</tt:Minor></tds:Version></tds:Service>\
            <tds:Service><tds:Namespace>urn:x</tds:Namespace><tds:XAddr>http://h/x</tds:XAddr></tds:Service>\
            <tds:Unknown/></tds:GetServicesResponse>";
        let s = GetServices::default().parse(&el(doc)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].namespace, ns::TDS);
        assert_eq!(s[0].xaddr, "http://192.168.1.64/onvif/device_service");
        assert_eq!(s[0].version.as_deref(), Some("20.6"));
        assert_eq!(s[1].version, None);

        let e = GetServices::default()
            .parse(&el(&doc.replace(
                "<tt:Minor>06</tt:Minor>",
                "<tt:Minor>six</tt:Minor>",
            )))
            .unwrap_err();
        assert_eq!(invalid(e), ("Service/Version/Minor", "six".to_owned()));
        let e = GetServices::default()
            .parse(&el(&doc.replace("<tds:XAddr>http://h/x</tds:XAddr>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "Service/XAddr");
        let e = GetServices::default()
            .parse(&el(&doc.replacen(
                "<tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>",
                "<tds:Namespace> </tds:Namespace>",
                1,
            )))
            .unwrap_err();
        assert_eq!(missing(e), "Service/Namespace");
    }

    #[test]
    fn capabilities_map_categories_to_service_namespaces() {
        let doc = "<tds:GetCapabilitiesResponse DECL><tds:Capabilities>\
            <tt:Analytics><tt:XAddr>http://h/analytics</tt:XAddr></tt:Analytics>\
            <tt:Device><tt:XAddr>http://h/device_service</tt:XAddr><tt:System>\
              <tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>6</tt:Minor></tt:SupportedVersions>\
              <tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>10</tt:Minor></tt:SupportedVersions>\
            </tt:System></tt:Device>\
            <tt:Media><tt:XAddr>http://h/media</tt:XAddr></tt:Media>\
            <tt:PTZ><tt:XAddr></tt:XAddr></tt:PTZ>\
            <tt:Extension><hik:hikCapabilities xmlns:hik=\"urn:hik\"><hik:XAddr>http://h/hik</hik:XAddr></hik:hikCapabilities>\
              <tt:Recording><tt:XAddr>http://h/rec</tt:XAddr></tt:Recording></tt:Extension>\
            </tds:Capabilities></tds:GetCapabilitiesResponse>";
        let s = GetCapabilities.parse(&el(doc)).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = s
            .iter()
            .map(|s| (s.namespace.as_str(), s.xaddr.as_str(), s.version.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (ns::TDS, "http://h/device_service", Some("2.10")),
                (ns::TRT, "http://h/media", None),
                (NS_ANALYTICS, "http://h/analytics", None),
                (ns::TRC, "http://h/rec", None),
            ],
            "PTZ has an empty XAddr and the Hikvision extension is no ONVIF service"
        );
        let e = GetCapabilities
            .parse(&el("<tds:GetCapabilitiesResponse DECL/>"))
            .unwrap_err();
        assert_eq!(missing(e), "Capabilities");
    }

    #[test]
    fn get_capabilities_asks_for_all_and_get_services_carries_the_flag() {
        assert!(
            GetCapabilities
                .to_xml()
                .unwrap()
                .contains("<tds:Category>All</tds:Category>")
        );
        assert!(
            GetServices {
                include_capability: true
            }
            .to_xml()
            .unwrap()
            .contains("<tds:IncludeCapability>true</tds:IncludeCapability>")
        );
        assert!(
            GetServices {
                include_capability: false
            }
            .to_xml()
            .unwrap()
            .contains("<tds:IncludeCapability>false</tds:IncludeCapability>")
        );
    }

    const NIC: &str = "<tds:GetNetworkInterfacesResponse DECL><tds:NetworkInterfaces token=\"eth0\">\
        <tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>00-07-5F-E0-A6-04</tt:HwAddress>\
        <tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>\
        <tt:Manual><tt:Address>192.168.0.90</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>\
        <tt:LinkLocal><tt:Address>127.0.0.1</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:LinkLocal>\
        <tt:FromDHCP><tt:Address>192.168.2.82</tt:Address><tt:PrefixLength>23</tt:PrefixLength></tt:FromDHCP>\
        <tt:DHCP>true</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>";

    #[test]
    fn network_interfaces_pick_the_address_in_use() {
        let n = GetNetworkInterfaces.parse(&el(NIC)).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].token, "eth0");
        assert_eq!(n[0].name.as_deref(), Some("eth0"));
        assert!(n[0].enabled);
        assert_eq!(n[0].mac.as_deref(), Some("00:07:5f:e0:a6:04"));
        let v4 = n[0].ipv4.as_ref().unwrap();
        assert!(v4.dhcp && v4.enabled);
        assert_eq!(v4.address.as_deref(), Some("192.168.2.82"));
        assert_eq!(v4.prefix_length, Some(23));

        let manual = GetNetworkInterfaces
            .parse(&el(&NIC.replace("<tt:DHCP>true", "<tt:DHCP>false")))
            .unwrap();
        let v4 = manual[0].ipv4.as_ref().unwrap();
        assert_eq!(
            (v4.address.as_deref(), v4.prefix_length),
            (Some("192.168.0.90"), Some(24))
        );

        let dhcp_only = NIC.replace(
            "<tt:Manual><tt:Address>192.168.0.90</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>",
            "",
        );
        let v4 = GetNetworkInterfaces
            .parse(&el(&dhcp_only.replace("<tt:DHCP>true", "<tt:DHCP>false")))
            .unwrap()[0]
            .ipv4
            .clone()
            .unwrap();
        assert_eq!(
            v4.address.as_deref(),
            Some("192.168.2.82"),
            "falls back to the DHCP address"
        );
    }

    #[test]
    fn network_interfaces_hostile_values_are_errors_naming_the_field() {
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace(" token=\"eth0\"", "")))
            .unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/@token");
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace("00-07-5F-E0-A6-04", "not-a-mac")))
            .unwrap_err();
        assert_eq!(invalid(e).0, "NetworkInterfaces/Info/HwAddress");
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace("192.168.2.82", "192.168.2.820")))
            .unwrap_err();
        assert_eq!(
            invalid(e).0,
            "NetworkInterfaces/IPv4/Config/FromDHCP/Address"
        );
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace(">24<", ">33<")))
            .unwrap_err();
        assert_eq!(
            invalid(e),
            (
                "NetworkInterfaces/IPv4/Config/Manual/PrefixLength",
                "33".to_owned()
            )
        );
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace("<tt:DHCP>true</tt:DHCP>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/IPv4/Config/DHCP");
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replace(
                "<tt:Enabled>true</tt:Enabled><tt:Info>",
                "<tt:Info>",
            )))
            .unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/Enabled");
        let e = GetNetworkInterfaces
            .parse(&el(&NIC.replacen("<tt:Enabled>true", "<tt:Enabled>yes", 1)))
            .unwrap_err();
        assert_eq!(invalid(e), ("NetworkInterfaces/Enabled", "yes".to_owned()));
    }

    #[test]
    fn set_network_interfaces_writes_manual_only_without_dhcp_and_refuses_no_address() {
        let static_cfg = Ipv4Config {
            enabled: true,
            dhcp: false,
            address: Some("10.1.2.3".into()),
            prefix_length: Some(24),
        };
        let x = set_network_interfaces_request("eth0", &static_cfg).unwrap();
        assert!(x.contains("<tds:InterfaceToken>eth0</tds:InterfaceToken>"));
        assert!(x.contains("<tt:Manual><tt:Address>10.1.2.3</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP>"));
        let dhcp = Ipv4Config {
            dhcp: true,
            ..static_cfg.clone()
        };
        assert!(
            !set_network_interfaces_request("eth0", &dhcp)
                .unwrap()
                .contains("Manual")
        );
        let none = Ipv4Config {
            address: None,
            ..static_cfg.clone()
        };
        assert_eq!(
            set_network_interfaces_request("eth0", &none)
                .unwrap_err()
                .to_string(),
            "device.SetNetworkInterfaces: cannot build the request without IPv4/Manual/Address"
        );
        let bad = Ipv4Config {
            address: Some("10.1.2".into()),
            ..static_cfg
        };
        assert!(matches!(
            set_network_interfaces_request("eth0", &bad),
            Err(RequestError::Unsupported {
                field: "IPv4/Manual/Address",
                ..
            })
        ));
        let reboot = SetNetworkInterfaces::default().parse(&el(
            "<tds:SetNetworkInterfacesResponse DECL><tds:RebootNeeded>true</tds:RebootNeeded></tds:SetNetworkInterfacesResponse>",
        ))
        .unwrap();
        assert!(reboot);
    }

    #[test]
    fn gateways_hostname_dns_ntp_parse() {
        let g = GetNetworkDefaultGateway
            .parse(&el(
                "<tds:GetNetworkDefaultGatewayResponse DECL><tds:NetworkGateway>\
             <tt:IPv4Address>10.0.0.1</tt:IPv4Address><tt:IPv6Address>fe80::1</tt:IPv6Address>\
             </tds:NetworkGateway></tds:GetNetworkDefaultGatewayResponse>",
            ))
            .unwrap();
        assert_eq!(g, vec!["10.0.0.1".to_owned()]);
        let e = GetNetworkDefaultGateway.parse(&el(
            "<tds:GetNetworkDefaultGatewayResponse DECL><tds:NetworkGateway>\
             <tt:IPv4Address>gateway</tt:IPv4Address></tds:NetworkGateway></tds:GetNetworkDefaultGatewayResponse>",
        ))
        .unwrap_err();
        assert_eq!(invalid(e).0, "NetworkGateway/IPv4Address");

        let h = GetHostname.parse(&el(
            "<tds:GetHostnameResponse DECL><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:Name/></tds:HostnameInformation></tds:GetHostnameResponse>",
        ))
        .unwrap();
        assert_eq!(
            h,
            Hostname {
                name: None,
                from_dhcp: false
            }
        );
        let e = GetHostname
            .parse(&el(
                "<tds:GetHostnameResponse DECL><tds:HostnameInformation><tt:Name>cam</tt:Name>\
             </tds:HostnameInformation></tds:GetHostnameResponse>",
            ))
            .unwrap_err();
        assert_eq!(missing(e), "HostnameInformation/FromDHCP");

        let d = GetDNS.parse(&el(
            "<tds:GetDNSResponse DECL><tds:DNSInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:SearchDomain>site.example</tt:SearchDomain>\
             <tt:DNSFromDHCP><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.9.9.9</tt:IPv4Address></tt:DNSFromDHCP>\
             <tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.53</tt:IPv4Address></tt:DNSManual>\
             <tt:DNSManual><tt:Type>IPv6</tt:Type><tt:IPv6Address>2001:DB8::35</tt:IPv6Address></tt:DNSManual>\
             <tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address></tt:IPv4Address></tt:DNSManual>\
             </tds:DNSInformation></tds:GetDNSResponse>",
        ))
        .unwrap();
        assert_eq!(
            d,
            Dns {
                from_dhcp: false,
                search_domains: vec!["site.example".into()],
                servers: vec!["10.0.0.53".into(), "2001:db8::35".into()],
            }
        );

        let n = GetNTP.parse(&el(
            "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>time.windows.com</tt:DNSname></tt:NTPManual>\
             <tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.123</tt:IPv4Address></tt:NTPManual>\
             <tt:NTPManual><tt:IPv6Address>2001:db8::123</tt:IPv6Address></tt:NTPManual>\
             </tds:NTPInformation></tds:GetNTPResponse>",
        ))
        .unwrap();
        assert_eq!(
            n.servers,
            vec![
                "time.windows.com".to_owned(),
                "10.0.0.123".into(),
                "2001:db8::123".into()
            ]
        );
        let e = GetNTP
            .parse(&el(
                "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>maybe</tt:FromDHCP>\
             </tds:NTPInformation></tds:GetNTPResponse>",
            ))
            .unwrap_err();
        assert_eq!(invalid(e), ("NTPInformation/FromDHCP", "maybe".to_owned()));
        let e = GetNTP.parse(&el(
            "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>300.1.1.1</tt:IPv4Address></tt:NTPManual>\
             </tds:NTPInformation></tds:GetNTPResponse>",
        ))
        .unwrap_err();
        assert_eq!(
            invalid(e),
            ("NTPInformation/NTPManual", "300.1.1.1".to_owned())
        );
    }

    #[test]
    fn set_builders_classify_addresses_and_escape_values() {
        let x = SetNetworkDefaultGateway {
            gateways: strings(&["2001:db8::1", "10.0.0.1"]),
        }
        .to_xml()
        .unwrap();
        let v4 = x
            .find("<tds:IPv4Address>10.0.0.1</tds:IPv4Address>")
            .unwrap();
        let v6 = x
            .find("<tds:IPv6Address>2001:db8::1</tds:IPv6Address>")
            .unwrap();
        assert!(v4 < v6, "IPv4 addresses come first: {x}");
        assert!(matches!(
            SetNetworkDefaultGateway {
                gateways: strings(&["router"])
            }
            .to_xml(),
            Err(RequestError::Unsupported { .. })
        ));

        let dns = Dns {
            from_dhcp: false,
            search_domains: vec!["a&b.example".into()],
            servers: vec!["10.0.0.53".into()],
        };
        let x = SetDNS { dns: dns.clone() }.to_xml().unwrap();
        assert!(
            x.contains("<tds:SearchDomain>a&amp;b.example</tds:SearchDomain>"),
            "{x}"
        );
        assert!(x.contains("<tds:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.53</tt:IPv4Address></tds:DNSManual>"));
        let by_name = Dns {
            servers: vec!["dns.example".into()],
            ..dns
        };
        assert_eq!(
            SetDNS { dns: by_name }.to_xml().unwrap_err().to_string(),
            "device.SetDNS: DNSManual cannot be \"dns.example\" (an IP address)"
        );

        let x = SetNTP {
            ntp: Ntp {
                from_dhcp: false,
                servers: vec!["ntp.example".into(), "10.0.0.123".into(), "".into()],
            },
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<tt:Type>DNS</tt:Type><tt:DNSname>ntp.example</tt:DNSname>"));
        assert!(x.contains("<tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.123</tt:IPv4Address>"));
        assert_eq!(x.matches("<tds:NTPManual>").count(), 2);

        assert!(
            SetHostname {
                name: "cam<1>".into()
            }
            .to_xml()
            .unwrap()
            .contains("<tds:Name>cam&lt;1&gt;</tds:Name>")
        );
        assert!(SetHostname { name: "  ".into() }.to_xml().is_err());
    }

    #[test]
    fn scopes_read_definition_and_refuse_unknown_ones() {
        let doc = "<tds:GetScopesResponse DECL>\
            <tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2012-I</tt:ScopeItem></tds:Scopes>\
            <tds:Scopes><tt:ScopeDef>Configurable</tt:ScopeDef><tt:ScopeItem> onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I </tt:ScopeItem></tds:Scopes>\
            </tds:GetScopesResponse>";
        let s = GetScopes.parse(&el(doc)).unwrap();
        assert_eq!(
            s,
            vec![
                Scope {
                    uri: "onvif://www.onvif.org/hardware/DS-2CD2012-I".into(),
                    fixed: true
                },
                Scope {
                    uri: "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I".into(),
                    fixed: false
                },
            ]
        );
        let e = GetScopes
            .parse(&el(&doc.replacen("Fixed", "Sometimes", 1)))
            .unwrap_err();
        assert_eq!(invalid(e), ("Scopes/ScopeDef", "Sometimes".to_owned()));
        let e = GetScopes
            .parse(&el(&doc.replacen(
                "<tt:ScopeDef>Fixed</tt:ScopeDef>",
                "",
                1,
            )))
            .unwrap_err();
        assert_eq!(missing(e), "Scopes/ScopeDef");
        let e = GetScopes
            .parse(&el(&doc.replace(
                "<tt:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2012-I</tt:ScopeItem>",
                "",
            )))
            .unwrap_err();
        assert_eq!(missing(e), "Scopes/ScopeItem");
    }

    #[test]
    fn scope_builders_need_one_uri_and_use_the_right_element() {
        let set = SetScopes {
            scopes: strings(&["onvif://www.onvif.org/location/building/a&b"]),
        }
        .to_xml()
        .unwrap();
        assert!(
            set.contains(
                "<tds:Scopes>onvif://www.onvif.org/location/building/a&amp;b</tds:Scopes>"
            )
        );
        assert!(
            AddScopes {
                scopes: strings(&["onvif://x/y"])
            }
            .to_xml()
            .unwrap()
            .contains("<tds:ScopeItem>onvif://x/y</tds:ScopeItem>")
        );
        assert!(
            RemoveScopes {
                scopes: strings(&["onvif://x/y"])
            }
            .to_xml()
            .unwrap()
            .contains("<tds:ScopeItem>")
        );
        let none: [&str; 0] = [];
        assert_eq!(
            SetScopes {
                scopes: strings(&none)
            }
            .to_xml()
            .unwrap_err()
            .to_string(),
            "device.SetScopes: cannot build the request without Scopes"
        );
        assert!(
            AddScopes {
                scopes: strings(&[" "])
            }
            .to_xml()
            .is_err()
        );
    }

    #[test]
    fn users_never_keep_a_password_even_when_the_device_sends_one() {
        let doc = "<tds:GetUsersResponse DECL>\
            <tds:User><tt:Username>admin</tt:Username><tt:Password>hunter2-secret</tt:Password>\
            <tt:UserLevel>Administrator</tt:UserLevel></tds:User>\
            <tds:User><tt:Username>viewer</tt:Username><tt:UserLevel>user</tt:UserLevel></tds:User>\
            <tds:User><tt:Username>odd</tt:Username><tt:UserLevel>Installer</tt:UserLevel></tds:User>\
            </tds:GetUsersResponse>";
        let users = GetUsers.parse(&el(doc)).unwrap();
        assert_eq!(
            users,
            vec![
                User {
                    username: "admin".into(),
                    level: "Administrator".into()
                },
                User {
                    username: "viewer".into(),
                    level: "User".into()
                },
                User {
                    username: "odd".into(),
                    level: "Installer".into()
                },
            ]
        );
        let json = serde_json::to_string(&users).unwrap();
        let debug = format!("{users:?}");
        assert!(!json.contains("hunter2") && !debug.contains("hunter2"));
        let e = GetUsers
            .parse(&el(&doc.replace("<tt:UserLevel>user</tt:UserLevel>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "User/UserLevel");
        let e = GetUsers
            .parse(&el(&doc.replace("<tt:Username>admin</tt:Username>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "User/Username");
    }

    #[test]
    fn user_builders_escape_and_never_put_the_password_in_errors() {
        let x = create_users_request("ops", "p<&>w\"d", UserLevel::Operator).unwrap();
        assert!(x.contains("<tt:Username>ops</tt:Username><tt:Password>p&lt;&amp;&gt;w&quot;d</tt:Password><tt:UserLevel>Operator</tt:UserLevel>"), "{x}");
        let e = create_users_request(" ", "s3cret-pass", UserLevel::User).unwrap_err();
        assert!(!e.to_string().contains("s3cret") && !format!("{e:?}").contains("s3cret"));
        let level_only = user("ops", None, UserLevel::User).to_xml().unwrap();
        assert!(!level_only.contains("Password"));
        assert!(
            user("ops", Some("n3w"), UserLevel::User)
                .to_xml()
                .unwrap()
                .contains("<tt:Password>n3w</tt:Password>")
        );
        let d = DeleteUsers {
            usernames: strings(&["a", "b"]),
        }
        .to_xml()
        .unwrap();
        assert!(d.contains("<tds:Username>a</tds:Username><tds:Username>b</tds:Username>"));
        let none: [&str; 0] = [];
        assert!(
            DeleteUsers {
                usernames: strings(&none)
            }
            .to_xml()
            .is_err()
        );
        assert_eq!(UserLevel::parse(" operator "), Some(UserLevel::Operator));
    }

    #[test]
    fn reboot_and_acks_check_the_response_element() {
        assert_eq!(
            SystemReboot.parse(&el(
                "<tds:SystemRebootResponse DECL><tds:Message>Rebooting in 30 seconds</tds:Message></tds:SystemRebootResponse>"
            ))
            .unwrap(),
            "Rebooting in 30 seconds"
        );
        assert!(
            SetScopes::default()
                .parse(&el("<tds:SetScopesResponse DECL/>"))
                .is_ok()
        );
        let e = SetScopes::default()
            .parse(&el("<tds:SetNTPResponse DECL/>"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "device.SetScopes: expected <SetScopesResponse> in the SOAP Body, found <SetNTPResponse>"
        );
    }

    /// Every operation, with representative arguments: each must name an operation in the
    /// table (`ops::get` panics otherwise) and produce that operation's request element.
    fn every_request() -> Vec<(&'static str, String)> {
        fn xml<O: Operation>(op: O) -> (&'static str, String) {
            (O::NAME, op.to_xml().unwrap())
        }
        let at = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let ipv4 = Ipv4Config {
            enabled: true,
            dhcp: false,
            address: Some("10.1.2.3".into()),
            prefix_length: Some(24),
        };
        let dns = Dns {
            from_dhcp: false,
            search_domains: vec![],
            servers: vec!["10.0.0.53".into()],
        };
        let ntp = Ntp {
            from_dhcp: false,
            servers: vec!["ntp.example".into()],
        };
        vec![
            xml(GetSystemDateAndTime),
            xml(SetSystemDateAndTime {
                date_time_type: DateTimeType::Manual,
                daylight_savings: true,
                tz: Some("CST-8".into()),
                utc: Some(at),
            }),
            xml(GetDeviceInformation),
            xml(GetServices {
                include_capability: true,
            }),
            xml(GetCapabilities),
            xml(GetNetworkInterfaces),
            xml(SetNetworkInterfaces {
                token: "eth0".into(),
                ipv4,
            }),
            xml(GetNetworkDefaultGateway),
            xml(SetNetworkDefaultGateway {
                gateways: strings(&["10.1.2.1"]),
            }),
            xml(GetHostname),
            xml(SetHostname {
                name: "cam-1".into(),
            }),
            xml(GetDNS),
            xml(SetDNS { dns }),
            xml(GetNTP),
            xml(SetNTP { ntp }),
            xml(GetScopes),
            xml(SetScopes {
                scopes: strings(&["onvif://www.onvif.org/name/x"]),
            }),
            xml(AddScopes {
                scopes: strings(&["onvif://www.onvif.org/location/x"]),
            }),
            xml(RemoveScopes {
                scopes: strings(&["onvif://www.onvif.org/location/x"]),
            }),
            xml(GetUsers),
            xml(CreateUsers {
                username: "ops".into(),
                password: "pw".into(),
                level: UserLevel::Operator,
            }),
            xml(DeleteUsers {
                usernames: strings(&["ops"]),
            }),
            xml(user("ops", Some("pw"), UserLevel::User)),
            xml(SystemReboot),
        ]
    }

    #[test]
    fn every_operation_the_code_uses_is_in_the_table() {
        let all = every_request();
        let device_rows: Vec<&str> = ops::all()
            .iter()
            .filter(|o| o.service == SERVICE)
            .map(|o| o.name)
            .collect();
        assert_eq!(all.len(), device_rows.len(), "one request per device row");
        for (name, xml_text) in all {
            let op = ops::get(SERVICE, name);
            let root = xml::parse(xml_text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(root.is_ns(op.namespace, op.request), "{name}: {xml_text}");
        }
    }

    /// Replaces the text of every leaf element of `doc` with `value` (escaped).
    fn with_every_leaf(doc: &str, value: &str) -> String {
        let mut out = String::new();
        let mut rest = doc;
        // A leaf is `>text</`; swap each text for the hostile value.
        while let Some(open) = rest.find('>') {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('<') {
                if rest[close..].starts_with("</") && close > 0 {
                    out.push_str(&escape(value));
                    rest = &rest[close..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_hostile_value_reaches_every_leaf() {
        let doc = with_every_leaf(SDT, "Q&");
        // 15 leaves, plus the white space before </tds:SystemDateAndTime>.
        assert_eq!(doc.matches(">Q&amp;</").count(), 16, "{doc}");
        for original in ["2018", ">NTP<", ">true<", "CST7", ">28<"] {
            assert!(!doc.contains(original), "{original} survived: {doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn hostile_field_values_never_panic(value in "\\PC{0,40}") {
            let docs = [SDT, NIC];
            for doc in docs {
                let e = el(&with_every_leaf(doc, &value));
                let _ = GetSystemDateAndTime.parse(&e);
                let _ = GetNetworkInterfaces.parse(&e);
            }
            let _ = crate::model::normalize_mac(&value);
        }

    }
}
