//! `#[derive(FromJson)]`: a reader for `equitas_json::FromJson`, generated from the type and the
//! serde attributes it has for writing, so each field is declared once.
//!
//! See [`FromJson`](macro@FromJson) for the attributes it reads.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Error, Fields, GenericArgument, Ident, LitStr, PathArguments,
    Result, Type,
};

/// Derives `equitas_json::FromJson`, reading the value as serde's `Deserialize` derive would
/// with the same attributes, but strictly, and with errors that name the JSON pointer and the
/// value.
///
/// What is read from `#[serde(...)]`:
/// - structs with named fields read from an object; they must say
///   `#[serde(deny_unknown_fields)]`, because the reader refuses unknown fields and serde (and
///   the JSON Schemas derived beside it) should agree;
/// - a field's key is its name, or `rename = "…"`, or the container's `rename_all`;
/// - a field with `default` may be absent (then `Default::default()`), one with
///   `default = "path"` too (then `path()`), and in a struct with `#[serde(default)]` every field
///   may be absent (then the field of `Self::default()`); a field of type `Option<T>` may be
///   absent (then `None`, unless a default says otherwise) or `null` (then `None`); for any
///   other type `null` is not absent: it is read as a value and refused unless the type takes
///   it; every other field is required;
/// - `transparent`: the one field's reader;
/// - `try_from = "T"` (or `#[json(try_from = "T")]` on a type whose serde impls are written by
///   hand): read a `T`, then `TryFrom<T>`;
/// - enums of unit variants only read from text: the variant names, after `rename` and
///   `rename_all`;
/// - `tag = "…"` (internally tagged) enums of unit and struct variants read from an object
///   with the tag field; other enums of unit, newtype and struct variants (externally tagged)
///   read a unit variant from its name and the others from an object with one field, named
///   after the variant (a struct variant's object is "an object" in errors);
/// - `skip_serializing_if`, `serialize_with`, `skip_serializing` and `into` concern writing
///   and are ignored; anything else (`untagged`, `flatten`, `deserialize_with`, `alias`, …) is a
///   compile error, so that no attribute is silently read differently from serde.
///
/// What `#[json(...)]` adds, on the type:
/// - `expected = "…"`: the type as errors describe it in "expected …, found …" (an object type
///   is "an object" by default, an enum of names "a, b or c"; enums with data must say); for a
///   `try_from` type, any value that does not read as a `T` or convert is "expected …";
/// - `allowed = "…"`: for a value of the right JSON type that is refused ("… is not allowed;
///   expected …"): by default the names of an enum, or `expected`;
/// - `check = "path"`: a function `fn(&Self, &Value, &Place) -> Result<(), ReadError>` run on
///   the value read, with the JSON it came from and its place (ranges, say);
/// - `map_key = "…"`: on a transparent `String` newtype, implements `MapKey`, so a
///   `SortedMap` keyed by the type reads from an object; "…" is what such a map is called in
///   errors.
#[proc_macro_derive(FromJson, attributes(json, serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// What the container's attributes say.
#[derive(Default)]
struct Container {
    rename_all: Option<Rename>,
    tag: Option<String>,
    deny_unknown_fields: bool,
    default: bool,
    transparent: bool,
    try_from: Option<Type>,
    expected: Option<String>,
    allowed: Option<String>,
    check: Option<syn::Path>,
    map_key: Option<String>,
}

/// serde's `rename_all` rules (the ones serde_derive has).
#[derive(Clone, Copy)]
enum Rename {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl Rename {
    fn parse(s: &LitStr) -> Result<Self> {
        Ok(match s.value().as_str() {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" => Self::Snake,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            other => {
                return Err(Error::new(
                    s.span(),
                    format!("unknown rename rule {other:?}"),
                ));
            }
        })
    }

    /// A variant's name under the rule, as serde_derive applies it.
    fn variant(self, name: &str) -> String {
        match self {
            Self::Pascal => name.to_owned(),
            Self::Lower => name.to_ascii_lowercase(),
            Self::Upper => name.to_ascii_uppercase(),
            Self::Camel => {
                let mut chars = name.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
            Self::Snake => {
                let mut snake = String::new();
                for (i, ch) in name.char_indices() {
                    if i > 0 && ch.is_uppercase() {
                        snake.push('_');
                    }
                    snake.push(ch.to_ascii_lowercase());
                }
                snake
            }
            Self::ScreamingSnake => Self::Snake.variant(name).to_ascii_uppercase(),
            Self::Kebab => Self::Snake.variant(name).replace('_', "-"),
            Self::ScreamingKebab => Self::ScreamingSnake.variant(name).replace('_', "-"),
        }
    }

    /// A field's name under the rule, as serde_derive applies it.
    fn field(self, name: &str) -> String {
        match self {
            Self::Lower | Self::Snake => name.to_owned(),
            Self::Upper | Self::ScreamingSnake => name.to_ascii_uppercase(),
            Self::Pascal => {
                let mut pascal = String::new();
                let mut capitalize = true;
                for ch in name.chars() {
                    if ch == '_' {
                        capitalize = true;
                    } else if capitalize {
                        pascal.push(ch.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        pascal.push(ch);
                    }
                }
                pascal
            }
            Self::Camel => {
                let pascal = Self::Pascal.field(name);
                let mut chars = pascal.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_ascii_lowercase().to_string() + chars.as_str()
                })
            }
            Self::Kebab => name.replace('_', "-"),
            Self::ScreamingKebab => name.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// How a field is read when it is absent.
enum Absent {
    /// An error: the field is required.
    Missing,
    /// `Default::default()`.
    Default,
    /// The function's value.
    Call(syn::Path),
    /// The field of the container's `Self::default()`.
    ContainerDefault,
}

/// A field to read: its Rust name (`None` in a tuple), its key, how absence reads and whether
/// it is an `Option` (which `null` leaves `None`).
struct Field {
    ident: Option<Ident>,
    key: String,
    absent: Absent,
    option: bool,
}

fn expand(input: &DeriveInput) -> Result<Tokens> {
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            input.generics.span(),
            "FromJson: generic types are not supported",
        ));
    }
    let c = container(&input.attrs)?;
    let ident = &input.ident;
    let body = match &input.data {
        Data::Struct(s) if c.try_from.is_some() => try_from(&c, &s.fields)?,
        Data::Struct(s) if c.transparent => transparent(&s.fields)?,
        Data::Struct(s) => {
            let Fields::Named(_) = s.fields else {
                return Err(Error::new(
                    input.ident.span(),
                    "FromJson: a struct needs named fields, #[serde(transparent)] or try_from",
                ));
            };
            named_struct(&c, &s.fields, input.ident.span())?
        }
        Data::Enum(e) if c.tag.is_some() => tagged_enum(&c, e, input.ident.span())?,
        Data::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) => {
            names_enum(&c, e)?
        }
        Data::Enum(e) => external_enum(&c, e, input.ident.span())?,
        Data::Union(_) => {
            return Err(Error::new(
                input.ident.span(),
                "FromJson: unions are not supported",
            ));
        }
    };
    if c.map_key.is_some() && !c.transparent {
        return Err(Error::new(
            input.ident.span(),
            "FromJson: #[json(map_key)] is for #[serde(transparent)] text newtypes",
        ));
    }
    let check = c.check.as_ref().map(|f| quote!(#f(&value, v, at)?;));
    let map_key = match (&c.map_key, &input.data) {
        (Some(called), Data::Struct(s)) => {
            let build = match s.fields.iter().next().and_then(|f| f.ident.as_ref()) {
                Some(f) => quote!(Self { #f: key }),
                None => quote!(Self(key)),
            };
            quote! {
                impl ::equitas_json::MapKey for #ident {
                    const MAP_EXPECTED: &'static str = #called;
                    fn from_key(key: ::std::string::String) -> Self {
                        #build
                    }
                }
            }
        }
        _ => Tokens::new(),
    };
    Ok(quote! {
        impl ::equitas_json::FromJson for #ident {
            fn read_at(
                v: &::equitas_json::__private::Value,
                at: &::equitas_json::Place<'_>,
            ) -> ::core::result::Result<Self, ::equitas_json::ReadError> {
                let value = { #body };
                #check
                ::core::result::Result::Ok(value)
            }
        }
        #map_key
    })
}

/// A string attribute value: `key = "value"`.
fn string(meta: &syn::meta::ParseNestedMeta<'_>) -> Result<LitStr> {
    meta.value()?.parse()
}

fn container(attrs: &[Attribute]) -> Result<Container> {
    let mut c = Container::default();
    for attr in attrs {
        if attr.path().is_ident("serde") {
            attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("rename_all") {
                    c.rename_all = Some(Rename::parse(&string(&meta)?)?);
                } else if p.is_ident("tag") {
                    c.tag = Some(string(&meta)?.value());
                } else if p.is_ident("deny_unknown_fields") {
                    c.deny_unknown_fields = true;
                } else if p.is_ident("default") {
                    if meta.input.peek(syn::Token![=]) {
                        return Err(meta.error("FromJson: a container `default = \"…\"` is not supported"));
                    }
                    c.default = true;
                } else if p.is_ident("transparent") {
                    c.transparent = true;
                } else if p.is_ident("try_from") {
                    c.try_from = Some(string(&meta)?.parse()?);
                } else if p.is_ident("into") || p.is_ident("rename") || p.is_ident("expecting") {
                    // Writing only, or the type's own name: nothing to read.
                    string(&meta)?;
                } else {
                    return Err(meta.error(
                        "FromJson does not read this serde attribute; read the type another way or teach equitas-json-derive",
                    ));
                }
                Ok(())
            })?;
        } else if attr.path().is_ident("json") {
            attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("expected") {
                    c.expected = Some(string(&meta)?.value());
                } else if p.is_ident("allowed") {
                    c.allowed = Some(string(&meta)?.value());
                } else if p.is_ident("check") {
                    c.check = Some(string(&meta)?.parse()?);
                } else if p.is_ident("map_key") {
                    c.map_key = Some(string(&meta)?.value());
                } else if p.is_ident("try_from") {
                    c.try_from = Some(string(&meta)?.parse()?);
                } else {
                    return Err(meta.error(
                        "unknown #[json] attribute; expected expected, allowed, check, map_key or try_from",
                    ));
                }
                Ok(())
            })?;
        }
    }
    Ok(c)
}

/// A field's or variant's serde attributes: its `rename`, and its `default` if any.
fn member_attrs(attrs: &[Attribute], field: bool) -> Result<(Option<String>, Option<Absent>)> {
    let mut rename = None;
    let mut absent = None;
    for attr in attrs {
        if attr.path().is_ident("json") {
            return Err(Error::new(
                attr.span(),
                "#[json] attributes go on the type, not on fields or variants",
            ));
        }
        if !attr.path().is_ident("serde") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("rename") {
                rename = Some(string(&meta)?.value());
            } else if field && p.is_ident("default") {
                absent = Some(if meta.input.peek(syn::Token![=]) {
                    Absent::Call(string(&meta)?.parse()?)
                } else {
                    Absent::Default
                });
            } else if field && (p.is_ident("skip_serializing_if") || p.is_ident("serialize_with"))
            {
                // Writing only.
                string(&meta)?;
            } else if p.is_ident("skip_serializing") {
                // Writing only.
            } else {
                return Err(meta.error(
                    "FromJson does not read this serde attribute; read the type another way or teach equitas-json-derive",
                ));
            }
            Ok(())
        })?;
    }
    Ok((rename, absent))
}

/// The type inside `Option<…>`, if `ty` is written as an `Option`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(t)) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// The fields of a struct or struct variant, with their keys and defaults.
fn fields(
    fields: &Fields,
    rename_all: Option<Rename>,
    container_default: bool,
) -> Result<Vec<Field>> {
    fields
        .iter()
        .map(|f| {
            let (rename, absent) = member_attrs(&f.attrs, true)?;
            let ident = f.ident.clone();
            let name = ident
                .as_ref()
                .map(|i| i.to_string().trim_start_matches("r#").to_owned())
                .unwrap_or_default();
            let key = rename
                .unwrap_or_else(|| rename_all.map_or_else(|| name.clone(), |r| r.field(&name)));
            let absent = match absent {
                Some(a) => a,
                None if container_default => Absent::ContainerDefault,
                None => Absent::Missing,
            };
            let option = option_inner(&f.ty).is_some();
            Ok(Field {
                ident,
                key,
                absent,
                option,
            })
        })
        .collect()
}

/// `Self { field: o.req("field")?, … }` (or the variant's), from the object `o`.
fn build(path: &Tokens, fields: &[Field]) -> Tokens {
    let inits = fields.iter().map(|f| {
        let ident = &f.ident;
        let key = &f.key;
        // As serde reads them: an `Option` is `None` when `null`, and when absent too unless a
        // default says otherwise.
        let read = match (&f.absent, f.option) {
            (Absent::Missing | Absent::Default, true) => quote!(o.opt(#key)?),
            (Absent::Call(default), true) => {
                quote!(if o.has(#key) { o.opt(#key)? } else { #default() })
            }
            (Absent::ContainerDefault, true) => {
                quote!(if o.has(#key) { o.opt(#key)? } else { defaults.#ident })
            }
            (Absent::Missing, false) => quote!(o.req(#key)?),
            (Absent::Default, false) => quote!(o.or_default(#key)?),
            (Absent::Call(default), false) => quote!(o.or(#key, #default())?),
            (Absent::ContainerDefault, false) => quote!(o.or(#key, defaults.#ident)?),
        };
        quote!(#ident: #read)
    });
    quote!(#path { #(#inits),* })
}

fn keys(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.key.as_str()).collect()
}

fn require_deny_unknown(c: &Container, span: proc_macro2::Span) -> Result<()> {
    if c.deny_unknown_fields {
        Ok(())
    } else {
        Err(Error::new(
            span,
            "FromJson refuses unknown fields: say #[serde(deny_unknown_fields)] so that serde and the schemas agree",
        ))
    }
}

fn named_struct(c: &Container, f: &Fields, span: proc_macro2::Span) -> Result<Tokens> {
    require_deny_unknown(c, span)?;
    let fields = fields(f, c.rename_all, c.default)?;
    let keys = keys(&fields);
    let expected = c.expected.as_deref().unwrap_or("an object");
    let defaults = c
        .default
        .then(|| quote!(let defaults = <Self as ::core::default::Default>::default();));
    let build = build(&quote!(Self), &fields);
    Ok(quote! {
        let o = ::equitas_json::Obj::new(v, at, #expected, &[#(#keys),*])?;
        #defaults
        #build
    })
}

fn transparent(f: &Fields) -> Result<Tokens> {
    let mut it = f.iter();
    let (Some(field), None) = (it.next(), it.next()) else {
        return Err(Error::new(
            f.span(),
            "FromJson: transparent needs exactly one field",
        ));
    };
    member_attrs(&field.attrs, true)?;
    let ty = &field.ty;
    let read = quote!(<#ty as ::equitas_json::FromJson>::read_at(v, at)?);
    Ok(match &field.ident {
        Some(name) => quote!(Self { #name: #read }),
        None => quote!(Self(#read)),
    })
}

fn try_from(c: &Container, f: &Fields) -> Result<Tokens> {
    for field in f {
        member_attrs(&field.attrs, true)?;
    }
    let Some(ty) = &c.try_from else {
        return Ok(Tokens::new());
    };
    let Some(refused) = c.allowed.as_deref().or(c.expected.as_deref()) else {
        return Err(Error::new(
            ty.span(),
            "FromJson: a try_from type needs #[json(expected = \"…\")] or #[json(allowed = \"…\")]",
        ));
    };
    let read = quote!(<#ty as ::equitas_json::FromJson>::read_at(v, at));
    let read = match &c.expected {
        Some(expected) => quote!(#read.map_err(|_| ::equitas_json::wrong_at(at, #expected, v))?),
        None => quote!(#read?),
    };
    Ok(quote! {
        <Self as ::core::convert::TryFrom<#ty>>::try_from(#read)
            .map_err(|_| ::equitas_json::refused_at(v, at, #refused))?
    })
}

/// A variant's name in JSON.
fn variant_name(c: &Container, v: &syn::Variant) -> Result<String> {
    let (rename, _) = member_attrs(&v.attrs, false)?;
    let name = v.ident.to_string();
    Ok(rename.unwrap_or_else(|| {
        c.rename_all
            .map_or_else(|| name.clone(), |r| r.variant(&name))
    }))
}

/// `match index { 0 => …, 1 => …, _ => last }`.
fn by_index(arms: Vec<Tokens>) -> Tokens {
    let last = arms.len().saturating_sub(1);
    let arms = arms.into_iter().enumerate().map(|(i, arm)| {
        if i == last {
            quote!(_ => #arm)
        } else {
            quote!(#i => #arm)
        }
    });
    quote!(match index { #(#arms,)* })
}

fn names_enum(c: &Container, e: &syn::DataEnum) -> Result<Tokens> {
    let names = e
        .variants
        .iter()
        .map(|v| variant_name(c, v))
        .collect::<Result<Vec<_>>>()?;
    let expected = option_str(c.expected.as_deref());
    let allowed = option_str(c.allowed.as_deref());
    let arms = e.variants.iter().map(|v| {
        let ident = &v.ident;
        quote!(Self::#ident)
    });
    let select = by_index(arms.collect());
    Ok(quote! {
        let index = ::equitas_json::unit_variant(v, at, #expected, #allowed, &[#(#names),*])?;
        #select
    })
}

fn option_str(s: Option<&str>) -> Tokens {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn enum_expected(c: &Container, span: proc_macro2::Span) -> Result<&str> {
    c.expected.as_deref().ok_or_else(|| {
        Error::new(
            span,
            "FromJson: an enum with data needs #[json(expected = \"…\")], what errors call it",
        )
    })
}

fn tagged_enum(c: &Container, e: &syn::DataEnum, span: proc_macro2::Span) -> Result<Tokens> {
    let expected = enum_expected(c, span)?;
    let tag = c.tag.as_deref().unwrap_or_default();
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for v in &e.variants {
        let name = variant_name(c, v)?;
        let ident = &v.ident;
        match &v.fields {
            Fields::Unit => {
                variants.push(quote!((#name, &[])));
                arms.push(quote!(Self::#ident));
            }
            Fields::Named(_) => {
                require_deny_unknown(c, v.span())?;
                let fields = fields(&v.fields, None, false)?;
                let keys = keys(&fields);
                variants.push(quote!((#name, &[#(#keys),*])));
                arms.push(build(&quote!(Self::#ident), &fields));
            }
            Fields::Unnamed(_) => {
                return Err(Error::new(
                    v.span(),
                    "FromJson: an internally tagged enum's variants must be units or structs",
                ));
            }
        }
    }
    let select = by_index(arms);
    Ok(quote! {
        const VARIANTS: &[(&str, &[&str])] = &[#(#variants),*];
        #[allow(unused_variables)]
        let (index, o) = ::equitas_json::Obj::tagged(v, at, #expected, #tag, VARIANTS)?;
        #select
    })
}

fn external_enum(c: &Container, e: &syn::DataEnum, span: proc_macro2::Span) -> Result<Tokens> {
    let expected = enum_expected(c, span)?;
    let mut units = Vec::new();
    let mut unit_arms = Vec::new();
    let mut with_value = Vec::new();
    let mut arms = Vec::new();
    for v in &e.variants {
        let name = variant_name(c, v)?;
        let ident = &v.ident;
        match &v.fields {
            Fields::Unit => {
                units.push(name);
                unit_arms.push(quote!(Self::#ident));
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                let Some(field) = f.unnamed.first() else {
                    continue;
                };
                member_attrs(&field.attrs, true)?;
                let ty = &field.ty;
                with_value.push(name);
                arms.push(
                    quote!(Self::#ident(<#ty as ::equitas_json::FromJson>::read_at(inner, &at)?)),
                );
            }
            Fields::Named(_) => {
                require_deny_unknown(c, v.span())?;
                let fields = fields(&v.fields, None, false)?;
                let keys = keys(&fields);
                with_value.push(name);
                let build = build(&quote!(Self::#ident), &fields);
                arms.push(quote!({
                    let o = ::equitas_json::Obj::new(inner, &at, "an object", &[#(#keys),*])?;
                    #build
                }));
            }
            Fields::Unnamed(_) => {
                return Err(Error::new(
                    v.span(),
                    "FromJson: tuple variants of more than one field are not supported",
                ));
            }
        }
    }
    let select = by_index(arms);
    let with_value = quote! {
        let (index, key, inner) =
            ::equitas_json::one_field(v, at, #expected, &[#(#with_value),*])?;
        let at = ::equitas_json::Place::Key(at, key);
        #select
    };
    if units.is_empty() {
        return Ok(with_value);
    }
    // A unit variant is its name; the others are objects of one field.
    let select_unit = by_index(unit_arms);
    Ok(quote! {
        if v.is_string() {
            let index = ::equitas_json::unit_variant(
                v,
                at,
                ::core::option::Option::None,
                ::core::option::Option::None,
                &[#(#units),*],
            )?;
            #select_unit
        } else {
            #with_value
        }
    })
}
