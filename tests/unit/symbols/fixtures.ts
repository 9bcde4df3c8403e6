/**
 * Source files in every supported language, written by the tests (never copied from a project):
 * nested classes, decorators, overloads, arrow functions, generics and macros where the language
 * has them. The ctags differential test and the end-to-end test both use them.
 */
export const SYMBOL_FIXTURES: Readonly<Record<string, string>> = {
  "py/shapes.py": `"""Shapes and their areas."""
import math
from typing import overload

PI_ISH = 3.14
registry = {}


def register(cls):
    """Add a class to the registry."""
    registry[cls.__name__] = cls
    return cls


@register
class Shape:
    """A shape with an area."""

    class Meta:
        ordering = ["name"]

        def describe(self):
            return "meta"

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def area(self) -> float:
        # area is not known for a bare shape
        return 0.0

    @staticmethod
    def unit() -> "Shape":
        return Shape("unit")


class Circle(Shape):
    def __init__(self, r: float):
        super().__init__("circle")
        self.r = r

    @overload
    def scale(self, k: int) -> "Circle": ...
    @overload
    def scale(self, k: float) -> "Circle": ...
    def scale(self, k):
        if k < 0 or k > 100:
            raise ValueError("k")
        return Circle(self.r * k)

    @property
    def area(self) -> float:
        return math.pi * self.r ** 2


async def total_area(shapes):
    def add(a, b):
        return a + b
    t = 0
    for s in shapes:
        t = add(t, s.area)
    return t
`,
  "js/widgets.js": `// Widgets for the demo page.
const DEFAULT_SIZE = 10;

/** Makes a widget. */
function makeWidget(name) {
  return { name, size: DEFAULT_SIZE };
}

const render = (widget) => \`<div>\${widget.name}</div>\`;

const helpers = {
  double(x) {
    return x * 2;
  },
  half: function (x) {
    return x / 2;
  },
};

class Widget {
  #secret = 1;
  constructor(name) {
    this.name = name;
  }
  get label() {
    return this.name.toUpperCase();
  }
  static create(name) {
    return new Widget(name);
  }
  onClick = () => {
    return render(this);
  };
}

class Button extends Widget {
  press() {
    return this.onClick();
  }
}

function* ids() {
  let i = 0;
  while (true) yield i++;
}

var legacy = function (a, b) {
  return a || b;
};

module.exports = { makeWidget, Widget, Button, helpers, ids, legacy };
`,
  "ts/store.ts": `/** A typed store. */
export interface Entry<T> {
  key: string;
  value: T;
}

export type Listener<T> = (entry: Entry<T>) => void;

export enum Mode {
  Read,
  Write,
}

export const MAX_ENTRIES = 1000;

export function pick(x: string): string;
export function pick(x: number): number;
export function pick(x: string | number): string | number {
  return x;
}

export abstract class Base<T> {
  abstract size(): number;
  protected items: Entry<T>[] = [];
}

export class Store<T> extends Base<T> {
  private listeners: Listener<T>[] = [];

  constructor(private readonly name: string) {
    super();
  }

  size(): number {
    return this.items.length;
  }

  /** Adds or replaces an entry. */
  set(key: string, value: T): void {
    const entry = { key, value };
    this.items = this.items.filter((e) => e.key !== key);
    this.items.push(entry);
    this.listeners.forEach((l) => l(entry));
  }

  get<K extends string>(key: K): T | undefined {
    return this.items.find((e) => e.key === key)?.value;
  }

  subscribe = (l: Listener<T>): void => {
    this.listeners.push(l);
  };
}

export const createStore = <T>(name: string): Store<T> => new Store<T>(name);

namespace Internal {
  export function reset(): void {}
}
`,
  "ts/view.tsx": `import { Store } from "./store.ts";

interface Props {
  title: string;
}

export function Header({ title }: Props) {
  return <h1>{title}</h1>;
}

export const Footer = (props: Props) => <footer>{props.title}</footer>;

export class Page {
  render() {
    return <main><Header title="x" /></main>;
  }
}

export function useStore<T>(s: Store<T>): number {
  return s.size();
}
`,
  "go/server.go": `// Package server serves things.
package server

import (
	"errors"
	"fmt"
)

const MaxConns = 10

type Handler interface {
	Serve(req string) (string, error)
}

// Server holds state.
type Server struct {
	name  string
	conns int
}

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

type ID = string

// New makes a server.
func New(name string) *Server {
	return &Server{name: name}
}

func (s *Server) Serve(req string) (string, error) {
	if req == "" || s.conns > MaxConns {
		return "", errors.New("bad")
	}
	switch req {
	case "a":
		return "A", nil
	case "b":
		return "B", nil
	}
	return fmt.Sprintf("%s:%s", s.name, req), nil
}

func (s Server) Name() string { return s.name }

func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}
`,
  "rust/lib.rs": `//! A small library.
use std::fmt;

pub const LIMIT: usize = 8;
static GREETING: &str = "hi";

/// A point in the plane.
#[derive(Debug, Clone)]
pub struct Point<T> {
    pub x: T,
    pub y: T,
}

pub enum Shape {
    Circle(f64),
    Square(f64),
}

pub trait Area {
    fn area(&self) -> f64;
    fn describe(&self) -> String {
        format!("area {}", self.area())
    }
}

impl Area for Shape {
    fn area(&self) -> f64 {
        match self {
            Shape::Circle(r) => 3.14 * r * r,
            Shape::Square(s) => s * s,
        }
    }
}

impl<T: fmt::Display> Point<T> {
    pub fn new(x: T, y: T) -> Self {
        Point { x, y }
    }

    pub fn show(&self) -> String {
        format!("({}, {})", self.x, self.y)
    }
}

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

pub mod geometry {
    pub fn origin() -> (i32, i32) {
        (0, 0)
    }

    pub mod deep {
        pub fn nested() -> u8 {
            1
        }
    }
}

pub fn largest<T: PartialOrd + Copy>(xs: &[T]) -> T {
    let mut m = xs[0];
    for &x in xs {
        if x > m {
            m = x;
        }
    }
    m
}

type Grid = Vec<Vec<u8>>;
`,
  "java/Inventory.java": `package demo;

import java.util.ArrayList;
import java.util.List;

/** Keeps items. */
public class Inventory<T extends Comparable<T>> {
    public static final int CAPACITY = 100;
    private final List<T> items = new ArrayList<>();

    public Inventory() {
    }

    public Inventory(List<T> initial) {
        items.addAll(initial);
    }

    @Override
    public String toString() {
        return "Inventory" + items;
    }

    public void add(T item) {
        if (items.size() >= CAPACITY || item == null) {
            throw new IllegalStateException("full");
        }
        items.add(item);
    }

    public void add(T item, int times) {
        for (int i = 0; i < times; i++) add(item);
    }

    public static <U extends Comparable<U>> Inventory<U> of(List<U> xs) {
        return new Inventory<>(xs);
    }

    public interface Listener {
        void changed(int size);
    }

    enum Level {
        LOW, HIGH;

        boolean isHigh() {
            return this == HIGH;
        }
    }

    static class Node {
        Node next;

        int depth() {
            return next == null ? 0 : 1 + next.depth();
        }
    }

    record Pair(String a, String b) {
        String joined() {
            return a + b;
        }
    }
}
`,
  "c/buffer.c": `#include <stdlib.h>
#include <string.h>

#define BUF_MAX 4096
#define MIN(a, b) ((a) < (b) ? (a) : (b))

struct buffer {
    char *data;
    size_t len;
};

typedef struct buffer buffer_t;

enum color { RED, GREEN };

static int counter = 0;

/* Makes an empty buffer. */
buffer_t *buffer_new(void) {
    buffer_t *b = malloc(sizeof *b);
    b->data = NULL;
    b->len = 0;
    return b;
}

int buffer_append(buffer_t *b, const char *s, size_t n) {
    if (b == NULL || s == NULL) {
        return -1;
    }
    size_t m = MIN(n, BUF_MAX);
    char *p = realloc(b->data, b->len + m);
    if (!p) return -1;
    memcpy(p + b->len, s, m);
    b->data = p;
    b->len += m;
    counter++;
    return 0;
}

static void buffer_free(buffer_t *b)
{
    free(b->data);
    free(b);
}

int main(int argc, char **argv) {
    buffer_t *b = buffer_new();
    for (int i = 1; i < argc; i++) {
        buffer_append(b, argv[i], strlen(argv[i]));
    }
    buffer_free(b);
    return 0;
}
`,
  "cpp/matrix.cpp": `#include <vector>
#include <string>

#define SQUARE(x) ((x) * (x))

namespace linalg {

template <typename T>
class Matrix {
public:
    Matrix(int rows, int cols) : rows_(rows), cols_(cols), data_(rows * cols) {}

    T at(int r, int c) const { return data_[r * cols_ + c]; }

    int rows() const;

    class Row {
    public:
        int index() const { return i_; }
    private:
        int i_ = 0;
    };

private:
    int rows_;
    int cols_;
    std::vector<T> data_;
};

template <typename T>
int Matrix<T>::rows() const {
    return rows_;
}

struct Point {
    double x, y;
    double norm() const { return x * x + y * y; }
};

double dot(const Point &a, const Point &b) {
    return a.x * b.x + a.y * b.y;
}

}  // namespace linalg

class Logger {
public:
    void log(const std::string &msg);
    ~Logger() {}
};

void Logger::log(const std::string &msg) {
    if (msg.empty() && true) {
        return;
    }
}

int main() {
    linalg::Point p{1, 2};
    return static_cast<int>(linalg::dot(p, p));
}

#define LIB_EXPORT

struct Money {
    long cents;
    bool operator==(const Money &o) const { return cents == o.cents; }
    Money operator+(const Money &o) const { return Money{cents + o.cents}; }
};

LIB_EXPORT int exported_total(int a, int b) {
    return a + b;
}
`,
  "cs/Accounts.cs": `using System;
using System.Collections.Generic;

namespace Bank
{
    /// <summary>An account.</summary>
    public class Account
    {
        public const decimal Limit = 1000m;
        public string Owner { get; set; }

        public Account(string owner)
        {
            Owner = owner;
        }

        public decimal Withdraw(decimal amount)
        {
            if (amount > Limit || amount < 0)
            {
                throw new ArgumentException("amount");
            }
            return amount;
        }

        public T Convert<T>(Func<decimal, T> f) => f(Limit);

        public class Statement
        {
            public void Print() { Console.WriteLine("statement"); }
        }
    }

    public interface IAudit
    {
        void Record(string entry);
    }

    public struct Money
    {
        public decimal Amount;
        public override string ToString() => Amount.ToString();
    }

    public enum Kind { Checking, Savings }

    public record Transfer(string From, string To);

    static class Program
    {
        static void Main(string[] args)
        {
            int Local(int x) { return x * 2; }
            Console.WriteLine(Local(2));
        }
    }
}
`,
  "rb/library.rb": `# A small library.
require "set"

MAX_BOOKS = 5

module Library
  # A book.
  class Book
    attr_reader :title

    def initialize(title)
      @title = title
    end

    def to_s
      "Book(#{@title})"
    end

    def self.parse(text)
      new(text.strip)
    end

    class Page
      def number
        1
      end
    end
  end

  def self.open(name)
    Book.new(name)
  end

  def checkout(book)
    raise "limit" if count > MAX_BOOKS || book.nil?
    book
  end
end

def helper(x)
  x.to_s
end
`,
  "php/Cart.php": `<?php
namespace Shop;

const TAX = 0.2;

interface Priced
{
    public function price(): float;
}

trait Discounts
{
    public function discount(float $p): float
    {
        return $p * 0.9;
    }
}

/** A shopping cart. */
class Cart implements Priced
{
    use Discounts;

    private array $items = [];

    public function __construct(array $items = [])
    {
        $this->items = $items;
    }

    public function price(): float
    {
        $total = 0;
        foreach ($this->items as $i) {
            if ($i > 0 && $i < 1000) {
                $total += $i;
            }
        }
        return $total * (1 + TAX);
    }

    public static function empty(): self
    {
        return new self();
    }
}

function cart_total(Cart $c): float
{
    return $c->price();
}

enum Status: string
{
    case Open = 'open';
    case Paid = 'paid';
}
`,
  "sh/deploy.sh": `#!/bin/sh
# Deploy helper.
set -eu

TARGET=\${1:-staging}

log() {
  echo "[deploy] $*" >&2
}

function build {
  log "building"
  make all
}

deploy_to() {
  if [ "$1" = "prod" ]; then
    log "careful"
  fi
  build
}

deploy_to "$TARGET"
`,
};
