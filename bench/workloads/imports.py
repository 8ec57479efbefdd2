"""Import-heavy start-up, as a Python tool or notebook kernel does.

Usage: python3 imports.py [--no-torch]
"""
import sys

import argparse, asyncio, base64, collections, concurrent.futures, csv, dataclasses  # noqa: E401
import datetime, decimal, difflib, email, email.mime.multipart, email.mime.text  # noqa: E401
import email.parser, fractions, functools, gzip, hashlib, html.parser, http.client  # noqa: E401
import http.server, importlib.metadata, inspect, ipaddress, itertools, json, logging  # noqa: E401
import logging.handlers, multiprocessing, pathlib, pickle, pprint, random, re, shutil  # noqa: E401
import socket, sqlite3, ssl, statistics, string, subprocess, tarfile, tempfile, textwrap  # noqa: E401
import threading, tomllib, typing, unittest, unittest.mock, urllib.parse, urllib.request  # noqa: E401
import uuid, xml.dom.minidom, xml.etree.ElementTree, xml.sax, zipfile, zoneinfo  # noqa: E401

import numpy
import numpy.linalg
import numpy.random

if "--no-torch" not in sys.argv:
    import torch  # noqa: F401

print(f"{len(sys.modules)} modules", "torch" if "torch" in sys.modules else "no torch")
