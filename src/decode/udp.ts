/** UDP header (RFC 768). Length 0 over IPv6 means a jumbogram (RFC 2675). */
export const UDP_HEADER_LEN = 8;
export const PORT_VXLAN = 4789;
export const PORT_VXLAN_GPE = 4790;
export const PORT_GENEVE = 6081;
